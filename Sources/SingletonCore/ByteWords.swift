/// Word-at-a-time (SWAR) byte classes: eight bytes of a span tested with a handful of
/// integer operations instead of a compare and a branch per byte.
///
/// Why: most of an AdmissionReview is plain string bytes (keys, names, managedFields) that
/// the scanner only has to step over; stepping byte by byte was the biggest single cost of
/// decoding. Only the first flagged byte of a word is ever used, and that one is exact:
/// the subtraction tricks below can also flag bytes *after* a real match (a borrow runs
/// upwards from it), never before one.
enum ByteWords {
    static let ones: UInt64 = 0x0101_0101_0101_0101
    static let highs: UInt64 = 0x8080_8080_8080_8080

    /// The eight bytes at `offset`, the first byte in the low-order bits (whatever the
    /// platform's byte order). The caller ensures `offset + 8 <= span.count`; the raw
    /// span still checks it.
    @inline(__always)
    static func load(_ span: Span<UInt8>, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: unsafe span.bytes.unsafeLoadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The high bit of (at least) the first byte of `w` below `n` (`n <= 0x80`).
    @inline(__always)
    static func below(_ w: UInt64, _ n: UInt8) -> UInt64 {
        (w &- ones &* UInt64(n)) & ~w & highs
    }

    /// The high bit of (at least) the first byte of `w` equal to `b`.
    @inline(__always)
    static func equal(_ w: UInt64, _ b: UInt8) -> UInt64 {
        let x = w ^ (ones &* UInt64(b))
        return (x &- ones) & ~x & highs
    }

    /// Bytes that end a run of plain string bytes: `"`, `\` and controls (below 0x20).
    @inline(__always)
    static func stringStops(_ w: UInt64) -> UInt64 {
        below(w, 0x20) | equal(w, UInt8(ascii: "\"")) | equal(w, UInt8(ascii: "\\"))
    }

    /// Bytes that end a plain key: those of `stringStops` and every non-ASCII byte.
    @inline(__always)
    static func keyStops(_ w: UInt64) -> UInt64 {
        stringStops(w) | (w & highs)
    }

    /// The index (0...7) of the first flagged byte of a non-zero mask.
    @inline(__always)
    static func firstIndex(_ mask: UInt64) -> Int {
        mask.trailingZeroBitCount &>> 3
    }

    /// The first `count` (0...8) bytes of `w` packed big-endian, as `acc << 8 | byte`
    /// byte after byte would: the first byte ends up most significant.
    @inline(__always)
    static func packed(_ w: UInt64, count: Int) -> UInt64 {
        guard count > 0 else { return 0 }
        return w.byteSwapped &>> UInt64(64 &- 8 &* count)
    }

    /// Whether the `count` bytes at `a` in `span` and at `b` in `other` are equal (both
    /// ranges within their spans), compared eight at a time.
    static func bytesEqual(_ span: Span<UInt8>, _ a: Int, _ other: Span<UInt8>, _ b: Int, count: Int) -> Bool {
        var i = 0
        while i &+ 8 <= count {
            guard load(span, a &+ i) == load(other, b &+ i) else { return false }
            i = i &+ 8
        }
        while i < count {
            guard span[a &+ i] == other[b &+ i] else { return false }
            i = i &+ 1
        }
        return true
    }
}
