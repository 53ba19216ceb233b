/// Checking a value's type without building it: for the fields the Codable model decodes
/// and `ReviewReader` does not keep. Each accepts the JSON the model's type accepts there, or
/// less (then the caller falls back to the model).
extension JSONScanner {
    /// A string (not `null`), its escapes checked as `readString` checks them.
    mutating func checkString() throws(Unsupported) {
        try expect(UInt8(ascii: "\""))
        pos = try Self.stringEnd(bytes.span, from: pos)
    }

    /// `[String: String]` or `null`. A key seen twice is
    /// not looked for: `JSONDecoder` keeps the first value, and nothing reads these maps.
    mutating func checkOptionalStringMap() throws(Unsupported) {
        if try readNull() { return }
        try expect(UInt8(ascii: "{"))
        var started = false
        while try continues(&started, close: UInt8(ascii: "}")) {
            try checkString()
            try expectColon()
            try checkString()
        }
    }

    /// `[String]` or `null`.
    mutating func checkOptionalStringArray() throws(Unsupported) {
        if try readNull() { return }
        var elements = try elements()
        while try nextElement(&elements) { try checkString() }
    }

    /// Which of `wanted` the next key of a map is (its index), or nil for another key; the
    /// key and its colon are consumed. A plain key is compared as bytes; one with escapes
    /// (`\/` from encoders that escape slashes) is decoded first, as `JSONDecoder` would.
    mutating func mapKey(among wanted: [[UInt8]]) throws(Unsupported) -> Int? {
        try expect(UInt8(ascii: "\""))
        let start = pos
        let end = Self.plainEnd(bytes.span, from: start)
        guard end < bytes.count else { throw Unsupported() }
        var found: Int? = nil
        if bytes[end] == UInt8(ascii: "\"") {
            pos = end + 1
            found = wanted.firstIndex { bytes(start..<end, equal: $0) }
        } else {
            pos = start - 1
            let key = Array(try readString().utf8)
            found = wanted.firstIndex(of: key)
        }
        try expectColon()
        return found
    }

    /// Whether the bytes in `range` are `expected`.
    func bytes(_ range: Range<Int>, equal expected: [UInt8]) -> Bool {
        range.count == expected.count && range.lowerBound >= 0 && range.upperBound <= bytes.count
            && ByteWords.bytesEqual(bytes.span, range.lowerBound, expected.span, 0, count: expected.count)
    }
}
