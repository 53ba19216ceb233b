import NIOCore

/// Runs a handler task's jobs on the event loop of its connection.
///
/// Without it, every request would hop from the event loop to Swift's global executor and
/// back: two thread wake-ups and context switches per request, which dominated the cost of
/// a small admission request. With it, a handler that does not suspend runs start to finish
/// on the loop, like a synchronous NIO handler; one that awaits something resumes there.
/// Handlers must therefore not block (no synchronous I/O, no long CPU loops).
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        eventLoop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}

extension EventLoopPromise where Value: Sendable {
    /// Completes the promise with `body`, run as a task preferring `executor` (the loop).
    func completeOnLoop(_ executor: EventLoopTaskExecutor, _ body: @escaping @Sendable () async -> Value) {
        Task(executorPreference: executor) {
            self.succeed(await body())
        }
    }
}
