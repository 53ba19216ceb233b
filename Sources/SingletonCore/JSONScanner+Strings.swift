/// Strings the decoders read: plain runs copied as they are, escapes decoded.
extension JSONScanner {
    /// A string value, escapes decoded. Lone surrogates and raw control characters are
    /// unsupported (the latter are invalid JSON anyway).
    mutating func readString() throws(Unsupported) -> String {
        try expect(UInt8(ascii: "\""))
        let start = pos
        pos = Self.plainEnd(bytes.span, from: start)
        guard pos < bytes.count else { throw Unsupported() }
        switch bytes[pos] {
        case UInt8(ascii: "\""):
            let s = string(start..<pos)
            pos += 1
            return s
        case UInt8(ascii: "\\"): return try readEscapedString(from: start)
        default: throw Unsupported()  // a raw control character
        }
    }

    private mutating func readEscapedString(from start: Int) throws(Unsupported) -> String {
        var out = Array(bytes[start..<pos])
        while pos < bytes.count {
            let b = bytes[pos]
            pos += 1
            switch b {
            case UInt8(ascii: "\""):
                return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard pos < bytes.count else { throw Unsupported() }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"): appendUTF8(try readUnicodeEscape(), to: &out)
                default: throw Unsupported()
                }
            default:
                guard b >= 0x20 else { throw Unsupported() }
                out.append(b)
            }
        }
        throw Unsupported()
    }

    /// After `\u`: four hex digits, and for a high surrogate the `\uXXXX` low half.
    private mutating func readUnicodeEscape() throws(Unsupported) -> Unicode.Scalar {
        let (scalar, end) = try Self.unicodeEscape(bytes.span, at: pos)
        pos = end
        return scalar
    }

    /// The escape whose four hex digits start at `start` (after `\u`), and the offset
    /// after it (after the low half of a surrogate pair). Lone surrogates are unsupported.
    static func unicodeEscape(_ span: Span<UInt8>, at start: Int) throws(Unsupported) -> (Unicode.Scalar, end: Int) {
        var p = start
        let first = try hex4(span, at: &p)
        if first >= 0xDC00 && first <= 0xDFFF { throw Unsupported() }
        if first >= 0xD800 && first <= 0xDBFF {
            guard p >= 0, p + 1 < span.count, span[p] == UInt8(ascii: "\\"), span[p + 1] == UInt8(ascii: "u") else {
                throw Unsupported()
            }
            p += 2
            let low = try hex4(span, at: &p)
            guard low >= 0xDC00 && low <= 0xDFFF else { throw Unsupported() }
            let value = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw Unsupported() }
            return (scalar, p)
        }
        guard let scalar = Unicode.Scalar(first) else { throw Unsupported() }
        return (scalar, p)
    }

    private static func hex4(_ span: Span<UInt8>, at p: inout Int) throws(Unsupported) -> UInt32 {
        guard p >= 0, p + 4 <= span.count else { throw Unsupported() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = span[p]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: throw Unsupported()
            }
            v = v << 4 | UInt32(d)
            p += 1
        }
        return v
    }

    private func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        out.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
    }
}
