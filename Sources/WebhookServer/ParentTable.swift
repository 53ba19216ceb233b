/// One kind's cached parents in two flat arrays: the entries' bytes, and an open-addressing
/// index into them.
///
/// Why not `[String: CachedParent]`: with 10,000 workloads that dictionary holds 20,000 small
/// heap blocks (the "namespace/name" keys and the uids are longer than Swift's inline strings),
/// allocated while the list's decoded pages are alive and interleaved with them. Once the list
/// is freed, those blocks pin the pages around them and the heap cannot shrink, even with the
/// list read in one typed pass (docs/performance.md has the figures). Here the whole kind is
/// two large buffers, and nothing of it is interleaved with the list's garbage.
///
/// An entry is `namespace`, `name`, `uid` and the `kube-singleton.dev/` annotations, each string
/// stored as a 4-byte little-endian length and its UTF-8 bytes; annotations as a count and then
/// key, value pairs; then the owning Deployment's name (length -1 when none). Removed or
/// replaced entries leave garbage that the next rebuild drops.
struct ParentTable: Sendable {
    private var bytes: [UInt8] = []
    /// 0: empty; -1: deleted; otherwise the entry's offset in `bytes` plus one.
    private var slots: [Int32]
    /// Live entries.
    private(set) var count = 0
    /// Slots that are not empty (live or deleted): what the load factor counts.
    private var occupied = 0
    /// Bytes of `bytes` that belong to live entries.
    private var liveBytes = 0

    init(minimumCapacity: Int = 0) {
        var capacity = 16
        while capacity < minimumCapacity * 2 { capacity *= 2 }
        slots = [Int32](repeating: 0, count: capacity)
    }

    func lookup(namespace: String, name: String) -> CachedParent? {
        guard let slot = find(namespace, name, hash: Self.hash(namespace, name)) else { return nil }
        return parent(at: Int(slots[slot]) - 1)
    }

    /// Inserts or replaces the entry for `namespace/name`.
    mutating func set(namespace: String, name: String, _ parent: CachedParent) {
        let hash = Self.hash(namespace, name)
        if let slot = find(namespace, name, hash: hash) {
            liveBytes -= entrySize(at: Int(slots[slot]) - 1)
            slots[slot] = append(namespace, name, parent)
            liveBytes += entrySize(at: Int(slots[slot]) - 1)
            compactIfMostlyGarbage()
            return
        }
        if (occupied + 1) * 2 > slots.count { rebuild(capacity: count + 1) }
        let slot = freeSlot(hash: hash)
        if slots[slot] == 0 { occupied += 1 }
        slots[slot] = append(namespace, name, parent)
        liveBytes += entrySize(at: Int(slots[slot]) - 1)
        count += 1
    }

    mutating func remove(namespace: String, name: String) {
        guard let slot = find(namespace, name, hash: Self.hash(namespace, name)) else { return }
        liveBytes -= entrySize(at: Int(slots[slot]) - 1)
        slots[slot] = -1
        count -= 1
        compactIfMostlyGarbage()
    }

    /// Keeps only the entries `keep(namespace, name)` says yes to.
    mutating func retain(_ keep: (String, String) -> Bool) {
        var fresh = ParentTable(minimumCapacity: count)
        for slot in slots where slot > 0 {
            let at = Int(slot) - 1
            let (namespace, name) = key(at: at)
            if keep(namespace, name) { fresh.set(namespace: namespace, name: name, parent(at: at)) }
        }
        self = fresh
    }

    /// Bytes held by the two buffers.
    var footprint: Int { bytes.capacity + slots.capacity * MemoryLayout<Int32>.stride }

    // MARK: - Index

    private static func hash(_ namespace: String, _ name: String) -> Int {
        var hasher = Hasher()
        hasher.combine(namespace)
        hasher.combine(name)
        return hasher.finalize()
    }

    private func find(_ namespace: String, _ name: String, hash: Int) -> Int? {
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] != 0 {
            if slots[slot] > 0, keyMatches(at: Int(slots[slot]) - 1, namespace, name) { return slot }
            slot = (slot + 1) & mask
        }
        return nil
    }

    /// The first empty or deleted slot on `hash`'s probe sequence.
    private func freeSlot(hash: Int) -> Int {
        let mask = slots.count - 1
        var slot = hash & mask
        while slots[slot] > 0 { slot = (slot + 1) & mask }
        return slot
    }

    /// Copies the live entries into fresh arrays sized for `capacity` entries.
    private mutating func rebuild(capacity: Int) {
        var fresh = ParentTable(minimumCapacity: max(capacity, count))
        fresh.bytes.reserveCapacity(liveBytes + liveBytes / 4)
        for slot in slots where slot > 0 {
            let at = Int(slot) - 1
            let (namespace, name) = key(at: at)
            fresh.set(namespace: namespace, name: name, parent(at: at))
        }
        self = fresh
    }

    private mutating func compactIfMostlyGarbage() {
        if bytes.count > 4096, liveBytes * 2 < bytes.count { rebuild(capacity: count) }
    }

    // MARK: - Entry bytes

    private mutating func append(_ namespace: String, _ name: String, _ parent: CachedParent) -> Int32 {
        let at = bytes.count
        appendString(namespace)
        appendString(name)
        appendString(parent.uid ?? "")
        bytes.append(parent.uid == nil ? 0 : 1)
        let annotations = (parent.annotations ?? [:]).sorted { $0.key < $1.key }
        appendLength(parent.annotations == nil ? -1 : annotations.count)
        for (key, value) in annotations {
            appendString(key)
            appendString(value)
        }
        if let owner = parent.owningDeployment { appendString(owner) } else { appendLength(-1) }
        return Int32(at + 1)
    }

    private mutating func appendString(_ s: String) {
        appendLength(s.utf8.count)
        bytes.append(contentsOf: s.utf8)
    }

    private mutating func appendLength(_ n: Int) {
        let v = UInt32(bitPattern: Int32(n))
        bytes.append(UInt8(truncatingIfNeeded: v))
        bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16))
        bytes.append(UInt8(truncatingIfNeeded: v >> 24))
    }

    private func length(at i: Int) -> Int {
        let v = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
        return Int(Int32(bitPattern: v))
    }

    /// The string stored at `i`, and the offset just after it.
    private func string(at i: Int) -> (String, Int) {
        let n = length(at: i)
        return (String(decoding: bytes[(i + 4)..<(i + 4 + n)], as: UTF8.self), i + 4 + n)
    }

    private func keyMatches(at i: Int, _ namespace: String, _ name: String) -> Bool {
        matches(at: i, namespace) && matches(at: i + 4 + length(at: i), name)
    }

    private func matches(at i: Int, _ s: String) -> Bool {
        let n = length(at: i)
        return n == s.utf8.count && bytes[(i + 4)..<(i + 4 + n)].elementsEqual(s.utf8)
    }

    private func key(at i: Int) -> (namespace: String, name: String) {
        let (namespace, next) = string(at: i)
        return (namespace, string(at: next).0)
    }

    private func parent(at i: Int) -> CachedParent {
        var (_, p) = string(at: i)
        (_, p) = string(at: p)
        let (uid, afterUID) = string(at: p)
        let hasUID = bytes[afterUID] == 1
        p = afterUID + 1
        let pairs = length(at: p)
        p += 4
        var annotations: [String: String]? = nil
        if pairs >= 0 {
            var map: [String: String] = [:]
            for _ in 0..<pairs {
                let (key, afterKey) = string(at: p)
                let (value, afterValue) = string(at: afterKey)
                map[key] = value
                p = afterValue
            }
            annotations = map
        }
        let owner = length(at: p) >= 0 ? string(at: p).0 : nil
        return CachedParent(uid: hasUID ? uid : nil, annotations: annotations, owningDeployment: owner)
    }

    private func entrySize(at i: Int) -> Int {
        var p = i
        for _ in 0..<3 { p += 4 + length(at: p) }
        p += 1
        let pairs = length(at: p)
        p += 4
        for _ in 0..<max(pairs, 0) * 2 { p += 4 + length(at: p) }
        p += 4 + max(length(at: p), 0)
        return p - i
    }
}
