/// A strict, allocation-light reader over the bytes of one JSON document.
///
/// Why it exists: decoding an AdmissionReview with `JSONDecoder` was about half of the
/// webhook's CPU per request, while the rules read a few dozen fields. This scanner reads
/// those fields straight from the bytes and skips the rest, but still checks the full JSON
/// grammar of everything it skips (strings with escapes and surrogate pairs, numbers,
/// literals, nesting), so it never accepts a document `JSONDecoder` would reject.
///
/// It is deliberately conservative: any input it is not sure about (a number with a fraction
/// where an integer is read, an unexpected type, a field or map key seen twice, deep
/// nesting, non-ASCII bytes that are not valid UTF-8) makes it throw `Unsupported`, and the
/// caller falls back to the Codable path, which produces the exact results and error
/// messages of before.
/// Keys of the objects it reads are compared as bytes (`JSONField`), never built as
/// strings, so a key with an escape or a non-ASCII byte is also `Unsupported`.
struct JSONScanner {
    /// "Not handled here": the caller must decode with the Codable path instead.
    struct Unsupported: Error {}

    let bytes: [UInt8]
    /// True when every byte is ASCII: strings are then built without a scan for it.
    let isASCII: Bool
    /// `JSONField`'s lookup table, fetched once per document rather than through the
    /// lazy global's once-check at every key.
    let fields: JSONField.Table
    /// The read position: an offset into `bytes`.
    var pos: Int = 0
    /// Skipped values nest at most this deep; deeper documents take the Codable path.
    static let maxDepth = 64

    /// Nil when the bytes contain something other than valid UTF-8.
    init?(_ bytes: [UInt8]) {
        // Non-ASCII bytes are rare in AdmissionReviews; validate once so that building
        // strings later never has to repair anything.
        var high: UInt8 = 0
        for b in bytes { high |= b }  // one vectorisable pass instead of a predicate per byte
        if high >= 0x80 {
            guard String(validating: bytes, as: UTF8.self) != nil else { return nil }
        }
        self.bytes = bytes
        self.isASCII = high < 0x80
        self.fields = JSONField.table
    }

    var atEnd: Bool { pos >= bytes.count }

    mutating func skipWhitespace() {
        pos = Self.whitespaceEnd(bytes.span, from: pos)
    }

    // The scanning loops work on a span and a local index, which keeps them in registers;
    // they are the hottest code here (API server bodies are mostly plain string bytes).
    // Indexes start at a valid offset and only grow while below `span.count`, so they
    // step with `&+`: no overflow check per byte (the span still checks its bounds).

    static func whitespaceEnd(_ span: Span<UInt8>, from start: Int) -> Int {
        var p = max(start, 0)
        while p < span.count {
            let b = span[p]
            // Bits 0x09, 0x0A, 0x0D and 0x20: the four JSON whitespace bytes.
            guard b <= 0x20, (UInt64(1) << UInt64(b)) & 0x1_0000_2600 != 0 else { return p }
            p = p &+ 1
        }
        return p
    }

    /// The first byte at or after `p` that is not whitespace; `p` moves to it. At the end
    /// of the document (where a token is expected) it throws.
    @inline(__always)
    static func nextByte(_ span: Span<UInt8>, at p: inout Int) throws(Unsupported) -> UInt8 {
        if p >= 0, p < span.count {
            let b = span[p]
            if b > 0x20 { return b }
        }
        p = whitespaceEnd(span, from: p)
        guard p >= 0, p < span.count else { throw Unsupported() }
        return span[p]
    }

    /// The end of a run of string bytes that need no attention: not `"`, `\` or a control.
    /// Eight bytes per step (`ByteWords`) while eight remain, then byte by byte. Inlined:
    /// most strings are a word or two, so a call cost as much as the scan.
    @inline(__always)
    static func plainEnd(_ span: Span<UInt8>, from start: Int) -> Int {
        var p = max(start, 0)
        while p &+ 8 <= span.count {
            let stops = ByteWords.stringStops(ByteWords.load(span, p))
            if stops != 0 { return p &+ ByteWords.firstIndex(stops) }
            p = p &+ 8
        }
        while p < span.count {
            let b = span[p]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { return p }
            p = p &+ 1
        }
        return p
    }

    /// The next non-whitespace byte, not consumed.
    ///
    /// Inlined: it runs before every token. The API server sends compact JSON, so the
    /// byte at `pos` is usually the token itself; whitespace takes the out-of-line path.
    @inline(__always)
    mutating func peek() throws(Unsupported) -> UInt8 {
        if pos < bytes.count {
            let b = bytes[pos]
            if b > 0x20 { return b }
        }
        return try peekAfterWhitespace()
    }

    @inline(never)
    private mutating func peekAfterWhitespace() throws(Unsupported) -> UInt8 {
        skipWhitespace()
        guard pos < bytes.count else { throw Unsupported() }
        return bytes[pos]
    }

    @inline(__always)
    mutating func expect(_ byte: UInt8) throws(Unsupported) {
        guard try peek() == byte else { throw Unsupported() }
        pos += 1
    }

    /// The bytes in `range` (no escapes in them) as a string.
    ///
    /// `range` must lie between two ASCII bytes of the document (a string's quotes, or a
    /// plain key's), so it never splits a UTF-8 sequence; `init` validated the whole
    /// document, so these bytes are valid UTF-8 and are copied without checking them again
    /// (nor scanning them for non-ASCII bytes when the document has none).
    @inline(__always)
    func string(_ range: Range<Int>) -> String {
        if #available(macOS 26, iOS 26, tvOS 26, watchOS 26, visionOS 26, *) {
            return String(copying: unsafe UTF8Span(unchecked: bytes.span.extracting(range), isKnownASCII: isASCII))
        }
        return String(decoding: bytes[range], as: UTF8.self)
    }

    mutating func expectColon() throws(Unsupported) {
        try expect(UInt8(ascii: ":"))
    }

    // MARK: Scalars

    /// Consumes `null` when it is next; true if it did.
    @inline(__always)
    mutating func readNull() throws(Unsupported) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal(Self.null, count: 4)
        return true
    }

    mutating func readBool() throws(Unsupported) -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"): try literal(Self.true, count: 4); return true
        case UInt8(ascii: "f"): try literal(Self.false, count: 5); return false
        default: throw Unsupported()
        }
    }

    // The literals' bytes, packed little-endian as `literal` reads them.
    static let null: UInt64 = 0x6C6C_756E  // "null"
    static let `true`: UInt64 = 0x6575_7274  // "true"
    static let `false`: UInt64 = 0x65_736C_6166  // "false"

    /// Consumes the `count` bytes packed in `word` (a literal), or throws.
    mutating func literal(_ word: UInt64, count: Int) throws(Unsupported) {
        pos = try Self.literalEnd(bytes.span, at: pos, word, count: count)
    }

    /// A plain integer (`-?digits`). Fractions, exponents and overflow are unsupported:
    /// their Codable semantics are left to the Codable path.
    mutating func readInt() throws(Unsupported) -> Int {
        _ = try peek()
        let start = pos
        try scanNumber()
        var i = start
        var negative = false
        if bytes[i] == UInt8(ascii: "-") { negative = true; i += 1 }
        var value = 0
        while i < pos {
            let b = bytes[i]
            guard b >= 0x30, b <= 0x39 else { throw Unsupported() }  // '.', 'e': not plain
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) =
                negative ? m.subtractingReportingOverflow(Int(b - 0x30)) : m.addingReportingOverflow(Int(b - 0x30))
            guard !o1, !o2 else { throw Unsupported() }
            value = s
            i += 1
        }
        return value
    }

    /// Checks the JSON number grammar: `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`.
    mutating func scanNumber() throws(Unsupported) {
        let end = try Self.numberEnd(bytes.span, from: pos)
        pos = end
    }

    /// The end of the number at `start` (see `scanNumber`).
    static func numberEnd(_ span: Span<UInt8>, from start: Int) throws(Unsupported) -> Int {
        func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
        var p = max(start, 0)
        if p < span.count, span[p] == UInt8(ascii: "-") { p += 1 }
        guard p < span.count else { throw Unsupported() }
        if span[p] == UInt8(ascii: "0") {
            p += 1
        } else {
            guard isDigit(span[p]) else { throw Unsupported() }
            while p < span.count, isDigit(span[p]) { p += 1 }
        }
        if p < span.count, span[p] == UInt8(ascii: ".") {
            p += 1
            guard p < span.count, isDigit(span[p]) else { throw Unsupported() }
            while p < span.count, isDigit(span[p]) { p += 1 }
        }
        if p < span.count, span[p] == UInt8(ascii: "e") || span[p] == UInt8(ascii: "E") {
            p += 1
            if p < span.count, span[p] == UInt8(ascii: "+") || span[p] == UInt8(ascii: "-") { p += 1 }
            guard p < span.count, isDigit(span[p]) else { throw Unsupported() }
            while p < span.count, isDigit(span[p]) { p += 1 }
        }
        return p
    }

    /// Moves to `offset` (a position recorded earlier with `pos`), to read a value later.
    mutating func seek(_ offset: Int) { pos = offset }
}
