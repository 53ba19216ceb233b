import CMalloc
import Dispatch
import Foundation
import Synchronization

/// Keeps the resident set close to what the process actually holds.
///
/// glibc keeps freed pages in its heaps: after a relist of 10,000 workloads, or 2,000 TLS
/// connections that came and went, the RSS stayed at the peak (figures in
/// docs/reliability.md) until `malloc_trim` handed the free pages back.
package enum MemoryRelease {
    /// Hands freed heap pages back to the kernel now.
    package static func trim() {
        _ = ks_malloc_trim()
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
