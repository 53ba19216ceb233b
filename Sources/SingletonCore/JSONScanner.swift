/// A strict, allocation-light reader over the bytes of one JSON document.
///
/// Why it exists: decoding an AdmissionReview with `JSONDecoder` was about half of the
/// webhook's CPU per request, while the rules read a few dozen fields. This scanner reads
/// those fields straight from the bytes and skips the rest, but still checks the full JSON
/// grammar of everything it skips (strings with escapes and surrogate pairs, numbers,
/// literals, nesting), so it never accepts a document `JSONDecoder` would reject.
///
/// It is deliberately conservative: any input it is not sure about (a number with a fraction
/// where an integer is read, an unexpected type, a duplicate key, deep nesting, non-ASCII
/// bytes that are not valid UTF-8) makes it throw `Unsupported`, and the caller falls back
/// to the Codable path, which produces the exact results and error messages of before.
struct JSONScanner {
    /// "Not handled here": the caller must decode with the Codable path instead.
    struct Unsupported: Error {}

    let bytes: [UInt8]
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
    }

    var atEnd: Bool { pos >= bytes.count }

    mutating func skipWhitespace() {
        pos = Self.whitespaceEnd(bytes.span, from: pos)
    }

    // The scanning loops work on a span and a local index, which keeps them in registers;
    // they are the hottest code here (API server bodies are mostly plain string bytes).

    private static func whitespaceEnd(_ span: Span<UInt8>, from start: Int) -> Int {
        var p = start
        while p < span.count {
            switch span[p] {
            case 0x20, 0x0A, 0x0D, 0x09: p += 1
            default: return p
            }
        }
        return p
    }

    /// The end of a run of string bytes that need no attention: not `"`, `\` or a control.
    static func plainEnd(_ span: Span<UInt8>, from start: Int) -> Int {
        var p = start
        while p < span.count {
            let b = span[p]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 { return p }
            p += 1
        }
        return p
    }

    /// Like `plainEnd`, also stopping at non-ASCII bytes, and hashing what it passes (FNV-1a).
    private static func keyEnd(_ span: Span<UInt8>, from start: Int, hash: inout UInt64) -> Int {
        var p = start
        while p < span.count {
            let b = span[p]
            if b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") || b < 0x20 || b >= 0x80 { return p }
            hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3
            p += 1
        }
        return p
    }

    /// The next non-whitespace byte, not consumed.
    mutating func peek() throws(Unsupported) -> UInt8 {
        skipWhitespace()
        guard pos < bytes.count else { throw Unsupported() }
        return bytes[pos]
    }

    mutating func expect(_ byte: UInt8) throws(Unsupported) {
        guard try peek() == byte else { throw Unsupported() }
        pos += 1
    }

    // MARK: Objects and arrays

    /// Consumes `{`; returns false when the object is empty (its `}` consumed too).
    mutating func beginObject() throws(Unsupported) -> Bool {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") { pos += 1; return false }
        return true
    }

    /// Reads a member's key and its colon, with a 64-bit FNV-1a hash of its bytes for
    /// duplicate detection. Keys with escapes or non-ASCII bytes are unsupported, so equal
    /// keys always have equal bytes (and a hash collision only costs a Codable fallback).
    mutating func readKey() throws(Unsupported) -> (key: String, hash: UInt64) {
        try expect(UInt8(ascii: "\""))
        let start = pos
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        let end = Self.keyEnd(bytes.span, from: start, hash: &hash)
        guard end < bytes.count, bytes[end] == UInt8(ascii: "\"") else { throw Unsupported() }
        let key = String(decoding: bytes[start..<end], as: UTF8.self)
        pos = end + 1
        try expect(UInt8(ascii: ":"))
        return (key, hash)
    }

    mutating func expectColon() throws(Unsupported) {
        try expect(UInt8(ascii: ":"))
    }

    /// After a member or element: true when a `,` follows, false at the closing `close`.
    mutating func next(_ close: UInt8) throws(Unsupported) -> Bool {
        switch try peek() {
        case UInt8(ascii: ","): pos += 1; return true
        case close: pos += 1; return false
        default: throw Unsupported()
        }
    }

    /// Consumes `[`; returns false when the array is empty.
    mutating func beginArray() throws(Unsupported) -> Bool {
        try expect(UInt8(ascii: "["))
        if try peek() == UInt8(ascii: "]") { pos += 1; return false }
        return true
    }

    // MARK: Scalars

    /// Consumes `null` when it is next; true if it did.
    mutating func readNull() throws(Unsupported) -> Bool {
        guard try peek() == UInt8(ascii: "n") else { return false }
        try literal(Self.nullBytes)
        return true
    }

    mutating func readBool() throws(Unsupported) -> Bool {
        switch try peek() {
        case UInt8(ascii: "t"): try literal(Self.trueBytes); return true
        case UInt8(ascii: "f"): try literal(Self.falseBytes); return false
        default: throw Unsupported()
        }
    }

    static let nullBytes: [UInt8] = Array("null".utf8)
    static let trueBytes: [UInt8] = Array("true".utf8)
    static let falseBytes: [UInt8] = Array("false".utf8)

    mutating func literal(_ word: [UInt8]) throws(Unsupported) {
        guard pos + word.count <= bytes.count else { throw Unsupported() }
        for i in 0..<word.count where bytes[pos + i] != word[i] { throw Unsupported() }
        pos += word.count
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
            let (s, o2) = negative ? m.subtractingReportingOverflow(Int(b - 0x30)) : m.addingReportingOverflow(Int(b - 0x30))
            guard !o1, !o2 else { throw Unsupported() }
            value = s
            i += 1
        }
        return value
    }

    /// Checks the JSON number grammar: `-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?`.
    mutating func scanNumber() throws(Unsupported) {
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "-") { pos += 1 }
        guard pos < bytes.count else { throw Unsupported() }
        if bytes[pos] == UInt8(ascii: "0") {
            pos += 1
        } else {
            guard isDigit(bytes[pos]) else { throw Unsupported() }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: ".") {
            pos += 1
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw Unsupported() }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
        if pos < bytes.count, bytes[pos] == UInt8(ascii: "e") || bytes[pos] == UInt8(ascii: "E") {
            pos += 1
            if pos < bytes.count, bytes[pos] == UInt8(ascii: "+") || bytes[pos] == UInt8(ascii: "-") { pos += 1 }
            guard pos < bytes.count, isDigit(bytes[pos]) else { throw Unsupported() }
            while pos < bytes.count, isDigit(bytes[pos]) { pos += 1 }
        }
    }

    private func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }

    /// Moves to `offset` (a position recorded earlier with `pos`), to read a value later.
    mutating func seek(_ offset: Int) { pos = offset }
}
