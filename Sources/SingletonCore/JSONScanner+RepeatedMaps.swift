/// Maps whose text repeats within one document are built once.
///
/// Why: an AdmissionReview carries the same small maps again and again: a Deployment's
/// labels are usually also its selector's `matchLabels` and its template's labels, and an
/// UPDATE carries all of them twice (`object` and `oldObject`). Building a dictionary
/// (allocation, hashing, the strings) was the largest cost left after scanning. A JSON
/// object's text determines its value and where it ends, so a map whose bytes equal those
/// of a map already read *is* that map: the decoder shares it (copy on write) instead.
extension JSONScanner {
    /// A string map read from `text` (its bytes, `{` to `}`).
    struct DecodedMap {
        var text: Range<Int>
        var map: [String: String]
    }

    /// At most this many maps are remembered: enough for every map of a workload UPDATE,
    /// and a bound on the comparisons a document with many maps can cause.
    static let rememberedMaps = 8

    /// The map read before whose text repeats at `start`, if there is one. Its text's
    /// length is also the length of the text at `start`.
    func repeatedMap(at start: Int) -> DecodedMap? {
        let span = bytes.span
        for entry in decodedMaps {
            let count = entry.text.count
            if start <= span.count &- count, ByteWords.bytesEqual(span, entry.text.lowerBound, span, start, count: count) {
                return entry
            }
        }
        return nil
    }

    /// Records a map read from `text`, for `repeatedMap`. Empty maps are not worth it.
    mutating func rememberMap(_ map: [String: String], text: Range<Int>) {
        guard decodedMaps.count < Self.rememberedMaps else { return }
        if decodedMaps.isEmpty { decodedMaps.reserveCapacity(4) }
        decodedMaps.append(DecodedMap(text: text, map: map))
    }
}
