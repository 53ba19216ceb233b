import Foundation

/// Thrown by `withDeadline` when the work did not finish in time.
struct DeadlineExceeded: Error, Sendable {}

/// Runs `work`, giving up after `limit`: returns its result, or throws `DeadlineExceeded`
/// the moment the limit passes, and cancels it.
///
/// Not a task group: a group waits for every child before it returns, so a call that ignores
/// cancellation (a request on a connection that never answers) would hold the answer until
/// it finished — the very wait this exists to bound.
func withDeadline<T: Sendable>(_ limit: Duration, _ work: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = DeadlineRace<T>()
    return try await withTaskCancellationHandler {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            race.start(continuation)
            let task = Task {
                do { race.finish(.success(try await work())) } catch { race.finish(.failure(error)) }
            }
            let timer = Task {
                try? await Task.sleep(for: limit)
                race.finish(.failure(DeadlineExceeded()))
            }
            race.whenFinished { task.cancel(); timer.cancel() }
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first of work, timer and cancellation to finish resumes the caller; the rest are ignored.
private final class DeadlineRace<T: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<T, any Error>?
    private var early: Result<T, any Error>?
    private var done = false
    private var cleanup: (@Sendable () -> Void)?

    /// `body` runs once the race is decided (at once if it already is).
    func whenFinished(_ body: @escaping @Sendable () -> Void) {
        let runNow = lock.withLock { () -> Bool in
            if done { return true }
            cleanup = body
            return false
        }
        if runNow { body() }
    }

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let result = lock.withLock { () -> Result<T, any Error>? in
            if let early { return early }
            self.continuation = continuation
            return nil
        }
        if let result { continuation.resume(with: result) }
    }

    func finish(_ result: Result<T, any Error>) {
        let (waiter, cleanup): (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) = lock.withLock {
            guard !done else { return (nil, nil) }
            done = true
            defer { continuation = nil; self.cleanup = nil }
            if continuation == nil { early = result }
            return (continuation, self.cleanup)
        }
        waiter?.resume(with: result)
        cleanup?()
    }
}
