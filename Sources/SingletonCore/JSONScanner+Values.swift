/// Typed readers with the semantics the Codable types use: optional fields (`decodeIfPresent`)
/// read `null` as nil; anything of another type is `Unsupported`, so the Codable path decides.
extension JSONScanner {
    /// Iterates an object's members; `member` must consume the value of each key it is given.
    /// A key seen twice is unsupported (`JSONDecoder`'s choice between them is its own).
    mutating func forEachMember(_ member: (inout JSONScanner, String) throws(Unsupported) -> Void) throws(Unsupported) {
        guard try beginObject() else { return }
        // Hashes of the keys seen so far: inline for the usual handful, spilled beyond.
        var seen = InlineArray<16, UInt64>(repeating: 0)
        var spilled: [UInt64] = []
        var count = 0
        repeat {
            let (key, hash) = try readKey()
            for i in 0..<min(count, 16) where seen[i] == hash { throw Unsupported() }
            if count < 16 {
                seen[count] = hash
            } else {
                if spilled.contains(hash) { throw Unsupported() }
                spilled.append(hash)
            }
            count += 1
            try member(&self, key)
        } while try next(UInt8(ascii: "}"))
    }

    /// Iterates an array's elements; `element` must consume each one.
    mutating func forEachElement(_ element: (inout JSONScanner) throws(Unsupported) -> Void) throws(Unsupported) {
        guard try beginArray() else { return }
        repeat { try element(&self) } while try next(UInt8(ascii: "]"))
    }

    /// True (and consumed) when the next value is `null`, false when it is an object;
    /// anything else is unsupported.
    mutating func nullOrObject() throws(Unsupported) -> Bool {
        if try readNull() { return true }
        guard try peek() == UInt8(ascii: "{") else { throw Unsupported() }
        return false
    }

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
        var map: [String: String] = [:]
        guard try beginObject() else { return map }
        repeat {
            let key = try readString()
            try expectColon()
            let value = try readString()
            guard map.updateValue(value, forKey: key) == nil else { throw Unsupported() }
        } while try next(UInt8(ascii: "}"))
        return map
    }

    mutating func optionalStringMap() throws(Unsupported) -> [String: String]? {
        if try readNull() { return nil }
        return try stringMap()
    }

    mutating func optionalStringArray() throws(Unsupported) -> [String]? {
        if try readNull() { return nil }
        var out: [String] = []
        try forEachElement { (s: inout JSONScanner) throws(Unsupported) in out.append(try s.readString()) }
        return out
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
