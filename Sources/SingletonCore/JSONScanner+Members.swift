/// Iterating objects and arrays: loops over the members of an object by `JSONField`,
/// with duplicate fields detected, instead of closures called with `String` keys.
///
///     var members = try s.members()
///     while let field = try s.nextMember(&members) {
///         switch field {
///         case .name: name = try s.optionalString()
///         default: try s.skipValue()
///         }
///     }
///
/// Every member's value must be consumed by the loop body before the next `nextMember`.
extension JSONScanner {
    /// The state of one object being read: where it is, and the fields seen so far.
    ///
    /// Only fields are checked for duplicates. `JSONDecoder` ignores a key its type does not
    /// declare however often it appears (and keeps the first of a declared one), so an
    /// unknown key seen twice changes nothing; a reader that uses keys as data (a plain
    /// map) checks its own keys.
    struct Members {
        fileprivate var started = false
        /// Bits (`JSONField.lookup`) of the known fields seen.
        fileprivate var seen: UInt64 = 0
        /// Where the current member's key is (without its quotes).
        var keyRange: Range<Int> = 0..<0
    }

    /// Consumes the `{` of an object whose members the caller then reads with `nextMember`.
    @inline(__always)
    mutating func members() throws(Unsupported) -> Members {
        try expect(UInt8(ascii: "{"))
        return Members()
    }

    /// The field of the next member (its key and colon consumed), or nil after the closing
    /// `}`. A field seen twice is unsupported (`JSONDecoder` keeps the first, a reader here
    /// the last); other keys come back as `.unknown` every time.
    @inline(never)  // one copy, with the key reading inlined into it
    mutating func nextMember(_ m: inout Members) throws(Unsupported) -> JSONField? {
        let next = try Self.memberKey(bytes.span, at: pos, started: m.started)
        pos = next.end
        guard next.end != next.keyRange.lowerBound else { return nil }  // the closing `}`
        m.started = true
        m.keyRange = next.keyRange
        let (field, bit) = JSONField.lookup(next.key, in: fields)
        guard m.seen & bit == 0 else { throw Unsupported() }  // `.unknown` has no bit
        m.seen |= bit
        return field
    }

    /// What `memberKey` found: a key, where its bytes are, and where the member's value
    /// starts; for the closing `}`, `end` equals `keyRange.lowerBound` (a key's is after it).
    struct MemberKey {
        var key: JSONKey
        var keyRange: Range<Int>
        var end: Int
    }

    /// Reads from `start` up to a member's value: `,` (unless it is the first member), the
    /// key and the colon, whitespace allowed between them; or the closing `}`.
    ///
    /// One pass over a span with a local index (no stores to the scanner per token): this
    /// runs for every member the decoders read. Keys with escapes or non-ASCII bytes are
    /// unsupported, so equal keys always have equal bytes.
    @inline(__always)
    static func memberKey(_ span: Span<UInt8>, at start: Int, started: Bool) throws(Unsupported) -> MemberKey {
        var p = start
        var b = try nextByte(span, at: &p)
        if b == UInt8(ascii: "}") { return MemberKey(key: JSONKey(), keyRange: p &+ 1..<p &+ 1, end: p &+ 1) }
        if started {
            guard b == UInt8(ascii: ",") else { throw Unsupported() }
            p = p &+ 1
            b = try nextByte(span, at: &p)
        }
        guard b == UInt8(ascii: "\"") else { throw Unsupported() }
        let keyStart = p &+ 1
        let (key, keyEnd) = JSONKey.scan(span, from: keyStart)
        guard keyEnd < span.count, span[keyEnd] == UInt8(ascii: "\"") else { throw Unsupported() }
        p = keyEnd &+ 1
        guard try nextByte(span, at: &p) == UInt8(ascii: ":") else { throw Unsupported() }
        return MemberKey(key: key, keyRange: keyStart..<keyEnd, end: p &+ 1)
    }

    /// The state of one array being read.
    struct Elements {
        fileprivate var started = false
    }

    /// Consumes the `[` of an array whose elements the caller then reads with `nextElement`.
    mutating func elements() throws(Unsupported) -> Elements {
        try expect(UInt8(ascii: "["))
        return Elements()
    }

    /// True when another element follows (the caller must consume it), false after the
    /// closing `]`.
    mutating func nextElement(_ e: inout Elements) throws(Unsupported) -> Bool {
        try continues(&e.started, close: UInt8(ascii: "]"))
    }

    /// Between the items of an array or object: consumes a `,` (true: another item follows)
    /// or the `close` byte (false). The first call accepts no comma.
    @inline(__always)
    mutating func continues(_ started: inout Bool, close: UInt8) throws(Unsupported) -> Bool {
        let b = try peek()
        if b == close { pos += 1; return false }  // empty, or after an item
        if started {
            guard b == UInt8(ascii: ",") else { throw Unsupported() }
            pos += 1
        }
        started = true
        return true
    }
}
