import NIOCore
import Synchronization

/// Runs a handler task's jobs on the event loop of its connection.
///
/// Without it, every request would hop from the event loop to Swift's global executor and
/// back: two thread wake-ups and context switches per request, which dominated the cost of
/// a small admission request. With it, a handler that does not suspend runs start to finish
/// on the loop, like a synchronous NIO handler; one that awaits something resumes there.
/// Handlers must therefore not block (no synchronous I/O, no long CPU loops).
///
/// A handler can outlive its loop: shutdown closes what is still open when the grace runs
/// out, and a server that owns its group then shuts the loops down while a handler may still
/// be awaiting something. NIO drops a job enqueued on a loop that has shut down (and says a
/// later version will crash instead), so the task would never resume. `retire()`, called
/// before the group shuts down, sends every later job to the global executor, and the
/// completion of anything that belonged to the loop is dropped instead of scheduled there.
/// One per loop and server (`PerLoop`), shared by the loop's connections.
/// The check and the enqueue hold one lock, so a job is either on the loop's queue before
/// the shutdown begins (NIO runs those) or on the global executor.
final class EventLoopTaskExecutor: TaskExecutor {
    let eventLoop: any EventLoop
    private let retired = Mutex(false)

    init(_ eventLoop: any EventLoop) { self.eventLoop = eventLoop }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        let onLoop = retired.withLock { retired in
            guard !retired else { return false }
            eventLoop.execute { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
            return true
        }
        if !onLoop { globalConcurrentExecutor.enqueue(ExecutorJob(job)) }
    }

    /// From now on jobs run on the global executor and `ifServing` drops its work.
    func retire() {
        retired.withLock { $0 = true }
    }

    /// Runs `body` (which completes something of the loop's) unless the loop is retired: a
    /// promise of a connection the shutdown already closed has no one left to tell. On the
    /// loop, the loop is running, and `body` runs callbacks at once (which may enqueue jobs
    /// here), so it runs without the lock; elsewhere it only queues work on the loop.
    func ifServing(_ body: () -> Void) {
        if eventLoop.inEventLoop { return body() }
        retired.withLock { retired in
            if !retired { body() }
        }
    }
}

extension EventLoopPromise where Value: Sendable {
    /// Completes the promise with `body`, run as a task preferring `executor` (the loop).
    /// Returns the task, so that a connection that closes can cancel work no one will read.
    func completeOnLoop(
        _ executor: EventLoopTaskExecutor, _ body: @escaping @Sendable () async -> Value
    ) -> Task<Void, Never> {
        Task(executorPreference: executor) {
            let value = await body()
            executor.ifServing { self.succeed(value) }
        }
    }
}
