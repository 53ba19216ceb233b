import Synchronization

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
            race.whenFinished {
                task.cancel(); timer.cancel()
            }
        }
    } onCancel: {
        race.finish(.failure(CancellationError()))
    }
}

/// The first of work, timer and cancellation to finish resumes the caller; the rest are ignored.
private final class DeadlineRace<T: Sendable>: Sendable {
    private struct State {
        var continuation: CheckedContinuation<T, any Error>?
        var early: Result<T, any Error>?
        var done = false
        var cleanup: (@Sendable () -> Void)?
    }
    private let state = Mutex(State())

    /// `body` runs once the race is decided (at once if it already is).
    func whenFinished(_ body: @escaping @Sendable () -> Void) {
        let runNow = state.withLock { state -> Bool in
            if state.done { return true }
            state.cleanup = body
            return false
        }
        if runNow { body() }
    }

    func start(_ continuation: CheckedContinuation<T, any Error>) {
        let result = state.withLock { state -> Result<T, any Error>? in
            if let early = state.early { return early }
            state.continuation = continuation
            return nil
        }
        if let result { continuation.resume(with: result) }
    }

    func finish(_ result: Result<T, any Error>) {
        let (waiter, cleanup) = state.withLock {
            state -> (CheckedContinuation<T, any Error>?, (@Sendable () -> Void)?) in
            guard !state.done else { return (nil, nil) }
            state.done = true
            defer { state.continuation = nil; state.cleanup = nil }
            if state.continuation == nil { state.early = result }
            return (state.continuation, state.cleanup)
        }
        waiter?.resume(with: result)
        cleanup?()
    }
}
