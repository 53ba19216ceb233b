/// Strings and skipping: the parts of the scanner that check the JSON grammar of values
/// the decoders do not read, and decode the escapes of those they do.
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
        let first = try readHex4()
        if first >= 0xDC00 && first <= 0xDFFF { throw Unsupported() }
        if first >= 0xD800 && first <= 0xDBFF {
            guard pos + 1 < bytes.count, bytes[pos] == UInt8(ascii: "\\"), bytes[pos + 1] == UInt8(ascii: "u") else {
                throw Unsupported()
            }
            pos += 2
            let low = try readHex4()
            guard low >= 0xDC00 && low <= 0xDFFF else { throw Unsupported() }
            let value = 0x10000 + ((first - 0xD800) << 10) + (low - 0xDC00)
            guard let scalar = Unicode.Scalar(value) else { throw Unsupported() }
            return scalar
        }
        guard let scalar = Unicode.Scalar(first) else { throw Unsupported() }
        return scalar
    }

    private mutating func readHex4() throws(Unsupported) -> UInt32 {
        guard pos + 4 <= bytes.count else { throw Unsupported() }
        var v: UInt32 = 0
        for _ in 0..<4 {
            let b = bytes[pos]
            let d: UInt8
            switch b {
            case 0x30...0x39: d = b - 0x30
            case 0x41...0x46: d = b - 0x41 + 10
            case 0x61...0x66: d = b - 0x61 + 10
            default: throw Unsupported()
            }
            v = v << 4 | UInt32(d)
            pos += 1
        }
        return v
    }

    private func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        out.append(contentsOf: UTF8.encode(scalar).map { Array($0) } ?? [])
    }

    // MARK: Skipping

    /// Skips one value of any type, checking its full syntax.
    mutating func skipValue() throws(Unsupported) {
        try skipValue(depth: 0)
    }

    private mutating func skipValue(depth: Int) throws(Unsupported) {
        guard depth < Self.maxDepth else { throw Unsupported() }
        switch try peek() {
        case UInt8(ascii: "{"):
            // Keys of skipped objects are not checked for duplicates: nothing reads them.
            pos += 1
            var started = false
            while try nextSkippedMember(&started) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "["):
            var elements = try elements()
            while try nextElement(&elements) { try skipValue(depth: depth + 1) }
        case UInt8(ascii: "\""): try skipString()
        case UInt8(ascii: "t"): try literal(Self.true, count: 4)
        case UInt8(ascii: "f"): try literal(Self.false, count: 5)
        case UInt8(ascii: "n"): try literal(Self.null, count: 4)
        default: try scanNumber()
        }
    }

    /// Like `nextMember` for an object being skipped: true after the next key and its colon,
    /// false after the closing `}`.
    private mutating func nextSkippedMember(_ started: inout Bool) throws(Unsupported) -> Bool {
        guard try continues(&started, close: UInt8(ascii: "}")) else { return false }
        try skipString()
        try expect(UInt8(ascii: ":"))
        return true
    }

    /// A string or `null`, checked as `readString` checks it but not built: for fields the
    /// Codable types decode and the model does not keep.
    mutating func skipOptionalString() throws(Unsupported) {
        if try readNull() { return }
        try skipString()
    }

    /// Skips a string, validating escapes without building it.
    private mutating func skipString() throws(Unsupported) {
        try expect(UInt8(ascii: "\""))
        while pos < bytes.count {
            pos = Self.plainEnd(bytes.span, from: pos)
            guard pos < bytes.count else { break }
            let b = bytes[pos]
            pos += 1
            if b == UInt8(ascii: "\"") { return }
            if b == UInt8(ascii: "\\") {
                guard pos < bytes.count else { throw Unsupported() }
                let e = bytes[pos]
                pos += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
                     UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
                    break
                case UInt8(ascii: "u"): _ = try readUnicodeEscape()
                default: throw Unsupported()
                }
            } else if b < 0x20 {
                throw Unsupported()
            }
        }
        throw Unsupported()
    }
}
