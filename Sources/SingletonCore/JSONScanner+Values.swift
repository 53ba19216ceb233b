/// Typed readers with the semantics the Codable types use: optional fields (`decodeIfPresent`)
/// read `null` as nil; anything of another type is `Unsupported`, so the Codable path decides.
extension JSONScanner {
    /// True (and consumed) when the next value is `null`, false when it is an object;
    /// anything else is unsupported.
    mutating func nullOrObject() throws(Unsupported) -> Bool {
        if try readNull() { return true }
        guard try peek() == UInt8(ascii: "{") else { throw Unsupported() }
        return false
    }

    @inline(never)  // called from every reader: one copy instead of one per call site
    mutating func optionalString() throws(Unsupported) -> String? {
        if try readNull() { return nil }
        return try readString()
    }

    mutating func optionalInt() throws(Unsupported) -> Int? {
        if try readNull() { return nil }
        return try readInt()
    }

    mutating func optionalBool() throws(Unsupported) -> Bool? {
        if try readNull() { return nil }
        return try readBool()
    }

    /// `[String: String]` (labels, annotations, matchLabels).
    mutating func stringMap() throws(Unsupported) -> [String: String] {
        try expect(UInt8(ascii: "{"))
        if try peek() == UInt8(ascii: "}") { pos += 1; return [:] }
        // Room for the usual handful of labels up front: growing from empty rehashes on
        // the way, which cost more than the whole rest of reading a small map.
        var map = [String: String](minimumCapacity: 4)
        var started = false
        while try continues(&started, close: UInt8(ascii: "}")) {
            let key = try readString()
            try expectColon()
            let value = try readString()
            guard map.updateValue(value, forKey: key) == nil else { throw Unsupported() }
        }
        return map
    }

    mutating func optionalStringMap() throws(Unsupported) -> [String: String]? {
        if try readNull() { return nil }
        return try stringMap()
    }

    /// `IntOrString`: a plain integer or a string.
    mutating func optionalIntOrString() throws(Unsupported) -> IntOrString? {
        if try readNull() { return nil }
        if try peek() == UInt8(ascii: "\"") { return .string(try readString()) }
        return .int(try readInt())
    }

    /// A required field that was not present is unsupported.
    static func required<T>(_ value: T?) throws(Unsupported) -> T {
        guard let value else { throw Unsupported() }
        return value
    }
}
