import CMalloc
import Dispatch
import Synchronization

/// Keeps the resident set close to what the process actually holds.
///
/// glibc keeps freed pages in its heaps: after 2,000 TLS connections that came and went, or a
/// list of 10,000 workloads read in one page, the RSS stayed at the peak (figures in
/// docs/reliability.md and docs/performance.md) until `malloc_trim` handed the free pages back.
package enum MemoryRelease {
    /// Hands freed heap pages back to the kernel now.
    package static func trim() {
        _ = ks_malloc_trim()
    }

    /// Keeps blocks of `threshold` bytes or more out of the heaps: each gets a mapping of its
    /// own, unmapped when freed. Returns false where the C library has no such setting.
    ///
    /// Why: glibc starts at 128 KiB but raises the threshold to the size of every mapped block
    /// freed, up to 32 MiB. After the first list page (a few hundred KiB, its buffer grown by
    /// doubling) was freed, every later page's buffers came from the heaps instead, and the
    /// holes they left between long-lived cache entries stayed resident (figures in
    /// docs/performance.md). A fixed threshold keeps that one-shot memory returnable.
    @discardableResult
    package static func keepLargeBlocksMapped(threshold: Int = 128 * 1024) -> Bool {
        ks_malloc_set_mmap_threshold(Int32(clamping: threshold)) == 1
    }

    private static let pending = Mutex(false)

    /// Trims once, `delay` from now, off the event loops (a trim of a large heap takes
    /// milliseconds); calls while one is pending are folded into it.
    package static func trimSoon(after delay: DispatchTimeInterval = .seconds(1)) {
        let schedule = pending.withLock { pending -> Bool in
            if pending { return false }
            pending = true
            return true
        }
        guard schedule else { return }
        DispatchQueue.global(qos: .utility).asyncAfter(deadline: .now() + delay) {
            pending.withLock { $0 = false }
            trim()
        }
    }
}
