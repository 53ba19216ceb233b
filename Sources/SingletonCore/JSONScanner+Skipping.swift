/// Skipping: checking the full JSON grammar of values the decoders do not read
/// (managedFields, status conditions, pod specs...), without building anything.
///
/// Why static functions over a span: skipping was a recursion of mutating calls per token
/// (a member, its key, a string's plain run, the nested value), each storing the position
/// back into the scanner, and with managedFields most of an UPDATE's bytes are skipped.
/// These keep the position in a local index. They accept exactly what the member and
/// element loops did: the same grammar, whitespace anywhere between tokens, and at most
/// `maxDepth` nested levels within the skipped value.
extension JSONScanner {
    /// Skips one value of any type, checking its full syntax.
    mutating func skipValue() throws(Unsupported) {
        let end = try Self.valueEnd(bytes.span, from: pos)
        pos = end
    }

    /// A string or `null`, checked as `readString` checks it but not built: for fields the
    /// Codable types decode and the model does not keep.
    mutating func skipOptionalString() throws(Unsupported) {
        if try readNull() { return }
        try checkString()
    }

    /// The end of the value starting at `start` (after whitespace), nested `depth` levels
    /// within the value being skipped.
    static func valueEnd(_ span: Span<UInt8>, from start: Int, depth: Int = 0) throws(Unsupported) -> Int {
        guard depth < maxDepth else { throw Unsupported() }
        var p = start
        switch try nextByte(span, at: &p) {
        case UInt8(ascii: "{"):
            // Keys of skipped objects are not checked for duplicates: nothing reads them.
            p = p &+ 1
            var b = try nextByte(span, at: &p)
            if b == UInt8(ascii: "}") { return p &+ 1 }
            while true {
                guard b == UInt8(ascii: "\"") else { throw Unsupported() }
                p = try stringEnd(span, from: p &+ 1)
                guard try nextByte(span, at: &p) == UInt8(ascii: ":") else { throw Unsupported() }
                p = try valueEnd(span, from: p &+ 1, depth: depth &+ 1)
                b = try nextByte(span, at: &p)
                if b == UInt8(ascii: "}") { return p &+ 1 }
                guard b == UInt8(ascii: ",") else { throw Unsupported() }
                p = p &+ 1
                b = try nextByte(span, at: &p)
            }
        case UInt8(ascii: "["):
            p = p &+ 1
            if try nextByte(span, at: &p) == UInt8(ascii: "]") { return p &+ 1 }
            while true {
                p = try valueEnd(span, from: p, depth: depth &+ 1)
                let b = try nextByte(span, at: &p)
                if b == UInt8(ascii: "]") { return p &+ 1 }
                guard b == UInt8(ascii: ",") else { throw Unsupported() }
                p = p &+ 1
            }
        case UInt8(ascii: "\""): return try stringEnd(span, from: p &+ 1)
        case UInt8(ascii: "t"): return try literalEnd(span, at: p, JSONScanner.true, count: 4)
        case UInt8(ascii: "f"): return try literalEnd(span, at: p, JSONScanner.false, count: 5)
        case UInt8(ascii: "n"): return try literalEnd(span, at: p, JSONScanner.null, count: 4)
        default: return try numberEnd(span, from: p)
        }
    }

    /// The offset after the closing quote of the string whose contents start at `start`,
    /// with its escapes checked as `readString` checks them.
    @inline(__always)
    static func stringEnd(_ span: Span<UInt8>, from start: Int) throws(Unsupported) -> Int {
        var p = start
        while true {
            p = plainEnd(span, from: p)
            guard p < span.count else { throw Unsupported() }
            let b = span[p]
            p = p &+ 1
            if b == UInt8(ascii: "\"") { return p }
            guard b == UInt8(ascii: "\\"), p < span.count else { throw Unsupported() }  // or a raw control
            let e = span[p]
            p = p &+ 1
            switch e {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                break
            case UInt8(ascii: "u"): p = try unicodeEscape(span, at: p).end
            default: throw Unsupported()
            }
        }
    }

    /// The offset after the `count` bytes packed in `word` (a literal) at `start`.
    static func literalEnd(_ span: Span<UInt8>, at start: Int, _ word: UInt64, count: Int) throws(Unsupported) -> Int {
        guard start >= 0, start <= span.count - count else { throw Unsupported() }
        var w: UInt64 = 0
        for i in 0..<count { w |= UInt64(span[start + i]) << UInt64(i << 3) }
        guard w == word else { throw Unsupported() }
        return start + count
    }
}
