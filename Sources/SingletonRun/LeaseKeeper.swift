import Foundation
import KubeAPIMachinery
import LeaderElection
import Synchronization

/// Drives a `LeaseElector` against the API server: one attempt reads the Lease, lets the
/// elector decide, and performs the write, retried at once on 409 (someone wrote in between).
///
/// The supervisor never runs two attempts at once (an attempt given up is awaited before the
/// next); the lock only makes the elector safe to read from the status server meanwhile.
final class LeaseKeeper: Sendable {
    enum Attempt: Sendable, Equatable {
        case acquired(fencingToken: Int)
        case renewed
        /// Someone else holds it (nil: released but not yet expired for this process).
        case waiting(holder: String?)
        case lost(String)
        case failed(String)
    }

    private let state: Mutex<LeaseElector>
    private let store: LeaseStore
    private let clock: any ElectionClock

    init(elector: LeaseElector, store: LeaseStore, clock: any ElectionClock) {
        self.state = Mutex(elector)
        self.store = store
        self.clock = clock
    }

    var holder: String? { state.withLock { $0.observed?.holderIdentity } }
    var fencingToken: Int? { state.withLock { $0.fencingToken } }
    var holds: Bool { state.withLock { $0.holds } }
    /// When (monotonic, the clock's) the holder must have renewed by.
    var renewDeadlineAt: Duration? { state.withLock { $0.renewDeadlineAt } }
    var othersClaimEndsAt: Duration? { state.withLock { $0.othersClaimEndsAt } }

    func attempt() async -> Attempt {
        let started = clock.now()
        do {
            return try await retryOnConflict {
                let object = try await store.get()
                let current = object.map(LeaseRecord.init(lease:))
                let stored: JSONValue
                let now = clock.now()
                switch state.withLock({ $0.observe(current, at: now) }) {
                case .wait: return .waiting(holder: current?.holderIdentity)
                case .lost:
                    let by = current?.holderIdentity.map { "taken by \($0)" } ?? "deleted"
                    return .lost("the Lease was \(by)")
                case .create(let record): stored = try await store.create(record)
                case .update(let record): stored = try await store.update(object ?? [:], to: record)
                }
                let record = LeaseRecord(lease: stored)
                switch state.withLock({ $0.written(record, attemptStartedAt: started) }) {
                case .acquired(let token): return .acquired(fencingToken: token)
                case .renewed: return .renewed
                }
            }
        } catch {
            return timedOut(after: describe(error))
        }
    }

    /// An attempt failed or did not finish in time: lost when past the renew deadline.
    func timedOut(after reason: String) -> Attempt {
        let now = clock.now()
        if state.withLock({ $0.failed(at: now) }) {
            return .lost("not renewed within the renew deadline (\(reason))")
        }
        return .failed(reason)
    }

    /// client-go's release on cancel: holder cleared, duration 1 s, so a standby takes over
    /// at its next retry. Only when the Lease still names this process.
    func release() async throws {
        guard holds else { return }
        try await retryOnConflict {
            guard let object = try await store.get() else { return }
            let current = LeaseRecord(lease: object), now = clock.now()
            guard let record = state.withLock({ $0.releaseRecord(current: current, at: now) }) else { return }
            let stored = LeaseRecord(lease: try await store.update(object, to: record))
            let then = clock.now()
            state.withLock { $0.released(stored, at: then) }
        }
    }
}

/// An error as one line for the log.
func describe(_ error: any Error) -> String {
    if let api = error as? KubeAPIError { return api.message.isEmpty ? "HTTP \(api.code)" : api.message }
    return "\(error)"
}
