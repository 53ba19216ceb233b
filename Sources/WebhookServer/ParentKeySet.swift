/// The parents that are not singletons, reduced to what a decision about them needs: that
/// they exist, their uid (to notice a recreated object) and whether a Deployment owns them.
///
/// Why: in a large cluster nearly every cached parent is an old ReplicaSet of some Deployment
/// (up to ten per Deployment), and a scale request for one is allowed whatever its name or
/// labels are. Keeping their names and uids as text cost about 100 bytes each; here an entry
/// is two 64-bit words: a keyed hash of `namespace/name` and a word holding a hash of the uid,
/// the length of the owning Deployment's name and a relist mark. The hashes are SipHash with
/// the process's random seed (`Hasher`), so nobody can make two keys collide on purpose; an
/// accidental collision of two 64-bit key hashes among 100,000 entries has a chance near
/// 10^-10, and one of a 48-bit uid hash only matters for a recreated object.
///
/// The owner's name is not stored: the Deployment controller names a ReplicaSet
/// `<deployment>-<pod-template-hash>`, so the name's first `ownerLength` bytes are the owner.
/// A parent whose owner is not such a prefix is kept in full (`ParentTable`) instead.
///
/// Open addressing with linear probing over `keys` (0: empty, 1: deleted), a slot chosen by
/// the hash's high bits times the capacity, so the capacity need not be a power of two and
/// can be reserved close to the list's size.
struct ParentKeySet: Sendable {
    private var keys: [UInt64]
    private var values: [UInt64]
    /// Live entries.
    private(set) var count = 0
    /// Slots that are not empty (live or deleted): what the load factor counts.
    private var occupied = 0

    private static let empty: UInt64 = 0
    private static let deleted: UInt64 = 1
    private static let uidBits: UInt64 = (1 << 48) - 1
    private static let hasUID: UInt64 = 1 << 56
    private static let marked: UInt64 = 1 << 63

    /// What is known of a non-singleton parent.
    struct Entry: Equatable {
        /// The hash of its uid, nil when it had none.
        var uidHash: UInt64?
        /// 0: no Deployment owns it; otherwise the owner's name is the first `ownerLength`
        /// bytes of its own name.
        var ownerLength: Int
    }

    init(minimumCapacity: Int = 0) {
        let capacity = Self.capacity(for: minimumCapacity)
        keys = [UInt64](repeating: Self.empty, count: capacity)
        values = [UInt64](repeating: 0, count: capacity)
    }

    /// Slots for `n` entries at a load of at most 3/4.
    private static func capacity(for n: Int) -> Int { max(16, n + n / 3 + 1) }

    /// Bytes held by the two arrays (what the entries cost, whatever their names).
    var footprint: Int { (keys.capacity + values.capacity) * MemoryLayout<UInt64>.stride }

    static func key(_ namespace: String, _ name: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(namespace)
        hasher.combine(name)
        let h = UInt64(bitPattern: Int64(hasher.finalize()))
        return h <= deleted ? h + 2 : h
    }

    static func uidHash(_ uid: String) -> UInt64 {
        var hasher = Hasher()
        hasher.combine(0x7569_6400 as UInt32)  // a domain tag: uid hashes are not key hashes
        hasher.combine(uid)
        return UInt64(bitPattern: Int64(hasher.finalize())) & uidBits
    }

    func lookup(_ key: UInt64) -> Entry? {
        guard let slot = find(key) else { return nil }
        let v = values[slot]
        return Entry(uidHash: v & Self.hasUID != 0 ? v & Self.uidBits : nil, ownerLength: Int((v >> 48) & 0xFF))
    }

    /// Inserts or replaces `key`'s entry; `mark` records that the running relist saw it.
    mutating func set(_ key: UInt64, uid: String?, ownerLength: Int, mark: Bool) {
        precondition((0...255).contains(ownerLength), "an owner name is at most 253 bytes")
        var value = UInt64(ownerLength) << 48
        if let uid { value |= Self.hasUID | Self.uidHash(uid) }
        if mark { value |= Self.marked }
        if let slot = find(key) {
            values[slot] = value
            return
        }
        // A relist holds the old entries until its sweep, so the objects renamed meanwhile are
        // there twice for a while: it may fill the table to 7/8 instead of growing it.
        if (occupied + 1) * 8 > keys.count * (mark ? 7 : 6) {
            rebuild(slots: (count + 1) * 4 > keys.count * 3 ? 2 * (count + 1) : keys.count)
        }
        var slot = home(key)
        while keys[slot] > Self.deleted { slot = next(slot) }
        if keys[slot] == Self.empty { occupied += 1 }
        keys[slot] = key
        values[slot] = value
        count += 1
    }

    @discardableResult
    mutating func remove(_ key: UInt64) -> Bool {
        guard let slot = find(key) else { return false }
        keys[slot] = Self.deleted
        count -= 1
        return true
    }

    /// Makes room for `n` entries in all without growing on the way (a relist reserves its
    /// list's size from the first page's `remainingItemCount`).
    mutating func reserve(_ n: Int) {
        if Self.capacity(for: n) > keys.count { rebuild(slots: Self.capacity(for: n)) }
    }

    /// Clears every relist mark (a relist starts, or restarts after a failure).
    mutating func clearMarks() {
        for slot in values.indices where keys[slot] > Self.deleted { values[slot] &= ~Self.marked }
    }

    /// Removes every entry the relist did not see and clears the marks of the others, in place.
    /// Returns how many were removed.
    @discardableResult
    mutating func sweepUnmarked() -> Int {
        var removed = 0
        for slot in keys.indices where keys[slot] > Self.deleted {
            if values[slot] & Self.marked == 0 {
                keys[slot] = Self.deleted
                removed += 1
            } else {
                values[slot] &= ~Self.marked
            }
        }
        count -= removed
        if count < keys.count / 8, keys.count > 1024 {
            rebuild(slots: Self.capacity(for: count * 2))
        } else if occupied * 4 > keys.count * 3 {
            rebuild(slots: keys.count)  // drop the deleted slots the sweep left
        }
        return removed
    }

    // MARK: - Probing

    private func home(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: key.multipliedFullWidth(by: UInt64(keys.count)).high)
    }

    private func next(_ slot: Int) -> Int { slot + 1 == keys.count ? 0 : slot + 1 }

    private func find(_ key: UInt64) -> Int? {
        var slot = home(key)
        while keys[slot] != Self.empty {
            if keys[slot] == key { return slot }
            slot = next(slot)
        }
        return nil
    }

    /// Copies the live entries into fresh arrays of `slots` slots (deleted slots are dropped).
    private mutating func rebuild(slots: Int) {
        var fresh = self
        fresh.keys = [UInt64](repeating: Self.empty, count: max(16, slots, count + 1))
        fresh.values = [UInt64](repeating: 0, count: fresh.keys.count)
        for slot in keys.indices where keys[slot] > Self.deleted {
            var at = fresh.home(keys[slot])
            while fresh.keys[at] != Self.empty { at = fresh.next(at) }
            fresh.keys[at] = keys[slot]
            fresh.values[at] = values[slot]
        }
        fresh.count = count
        fresh.occupied = count
        self = fresh
    }
}
