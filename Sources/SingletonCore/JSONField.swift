/// The object keys the fast decoders read, recognised straight from the bytes.
///
/// Why: building a `String` for every key and comparing it with `switch key { case "..." }`
/// was a large share of the decoding time (string creation, then string comparisons).
/// Keys are instead packed into a `JSONKey` while they are scanned and looked up in a
/// small open-addressing table, so a decoder switches over this enum, an integer.
///
/// A key is matched by all of its bytes and its length, never by a hash alone, so a key
/// that merely resembles a field name can never be read as that field.
enum JSONField: String, CaseIterable {
    case apiVersion, kind, request
    case uid, resource, subResource, name, namespace, operation, userInfo, username, dryRun, object, oldObject
    case group, version
    case metadata, spec, status, replicas, selector
    case scaleTargetRef, minReplicas, maxReplicas
    case generateName, resourceVersion, labels, annotations, ownerReferences
    case controller, blockOwnerDeletion
    case strategy, serviceName, template, matchLabels, matchExpressions
    case key, op = "operator", values
    case type, rollingUpdate, maxSurge, maxUnavailable
    case containers, ports, containerPort, proto = "protocol"
    case readyReplicas, availableReplicas
    case blueGreen, canary, trafficRouting
    case concurrencyPolicy, startingDeadlineSeconds, jobTemplate, parallelism
    case minReplicaCount, maxReplicaCount
    case items, continueToken = "continue", remainingItemCount
    /// Any key not listed above (including the empty key).
    case unknown = ""

    /// The field with exactly this key's bytes (or `.unknown`, bit 0), and its bit in a
    /// "seen" mask for duplicate detection (there are fewer than 64 fields).
    @inline(__always)
    static func lookup(_ key: JSONKey, in table: Table) -> (field: JSONField, bit: UInt64) {
        guard key.length <= JSONKey.packedLength else { return (.unknown, 0) }
        var slot = key.slot
        while true {
            let entry = table[slot]
            if entry.bit == 0 { return (.unknown, 0) }
            if entry.key == key { return (entry.field, entry.bit) }
            slot = (slot + 1) & (JSONKey.slots - 1)
        }
    }

    /// The lookup table (`table`), as a scanner holds it.
    typealias Table = [Entry]

    struct Entry {
        var key: JSONKey
        var field: JSONField
        /// 0 for an empty slot.
        var bit: UInt64
    }

    /// Linear probing over `JSONKey.slots` slots, about a fifth full: probes are short.
    static let table: Table = {
        var table = [Entry](repeating: Entry(key: JSONKey(), field: .unknown, bit: 0), count: JSONKey.slots)
        for (i, field) in allCases.enumerated() where field != .unknown {
            precondition(i < 64, "JSONField: more fields than bits in the seen mask")
            let name = Array(field.rawValue.utf8)
            let key = JSONKey.scan(name.span, from: 0).key
            var slot = key.slot
            while table[slot].bit != 0 { slot = (slot + 1) & (JSONKey.slots - 1) }
            table[slot] = Entry(key: key, field: field, bit: 1 << UInt64(i))
        }
        return table
    }()
}

/// A plain object key (ASCII, no escapes) packed into words while it is scanned: its
/// length and its first 24 bytes; words beyond those are folded into `w2` with a hash.
///
/// Two keys of at most 24 bytes are equal exactly when their `JSONKey`s are. Longer keys
/// are never fields (`JSONField.lookup` checks the length first), so the hash that stands
/// for their tail only has to keep them apart in tests.
struct JSONKey: Equatable {
    var length = 0
    var w0: UInt64 = 0
    var w1: UInt64 = 0
    var w2: UInt64 = 0

    static let packedLength = 24
    static let slots = 256

    init() {}

    /// Scans a plain key (printable ASCII, no `"` or `\`) from `start` and packs it as it
    /// goes; returns the key and the offset of the byte that ended it. Bytes accumulate
    /// big-endian within each 8-byte word, so a key's packing is unique for its length.
    @inline(__always)
    static func scan(_ span: Span<UInt8>, from start: Int) -> (key: JSONKey, end: Int) {
        var key = JSONKey()
        let start = max(start, 0)
        var p = start
        var words = 0
        // Eight bytes per step (`ByteWords`) while eight remain: a word without a stop
        // byte is a whole packed word; the one with a stop ends the key.
        while p &+ 8 <= span.count {
            let w = ByteWords.load(span, p)
            let stops = ByteWords.keyStops(w)
            if stops != 0 {
                let n = ByteWords.firstIndex(stops)
                if n != 0 { key.store(ByteWords.packed(w, count: n), word: words) }
                p = p &+ n
                key.length = p &- start
                return (key, p)
            }
            key.store(ByteWords.packed(w, count: 8), word: words)
            words += 1
            p = p &+ 8
        }
        // Fewer than eight bytes left: byte by byte, into one last partial word.
        var acc: UInt64 = 0
        var n = 0
        while p < span.count {
            let b = span[p]
            // One compare for "not 0x20...0x7F", then the two special characters.
            if b &- 0x20 >= 0x60 || b == UInt8(ascii: "\"") || b == UInt8(ascii: "\\") { break }
            acc = acc << 8 | UInt64(b)
            p = p &+ 1
            n = n &+ 1
        }
        if n != 0 { key.store(acc, word: words) }
        key.length = p &- start
        return (key, p)
    }

    /// Word `i` of the key: the first three are kept, later ones are hashed into `w2`.
    @inline(__always)
    private mutating func store(_ word: UInt64, word i: Int) {
        switch i {
        case 0: w0 = word
        case 1: w1 = word
        case 2: w2 = word
        default: w2 = (w2 ^ word) &* 0x9E37_79B9_7F4A_7C15
        }
    }

    /// The home slot in the field table.
    var slot: Int {
        let h = (w0 ^ (w1 &* 0x9E37_79B9_7F4A_7C15) ^ UInt64(truncatingIfNeeded: length)) &* 0xBF58_476D_1CE4_E5B9
        return Int(truncatingIfNeeded: h >> 56)
    }
}
