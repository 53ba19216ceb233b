import NIOCore

/// The requests that became complete during one event-loop iteration, decided back to back
/// once the loop has read every connection that was ready ("cohort scheduling").
///
/// Why: answering one AdmissionReview runs tens of kilobytes of code (decoding, rules,
/// encoding). Answered inside each connection's read, that code alternates with the
/// kernel's receive path, TLS decryption and HTTP parsing of the next connection, which
/// evict it from the instruction cache, so every request fetched it again. Deciding an
/// iteration's requests together, the second and later ones find it warm (the CPU saved per
/// request is in docs/performance.md).
/// A lone request pays one task hop.
///
/// The answer coming after the read would make NIOHTTP1 hold back the connection's next
/// read (two `epoll_ctl` calls per request); `PipelineGuard` prevents that.
///
/// Order is kept: requests are decided, and their answers written, in the order they
/// became complete, so pipelined requests on one connection stay in order too.
///
/// One per event loop and server (`PerLoop`), used only on that loop (hence `@unchecked
/// Sendable`: it is created before the loop runs and handed to the connections' handlers).
final class RequestCohort: @unchecked Sendable {
    private let handler: any HTTPSHandler
    private let loop: any EventLoop
    /// Requests waiting for this iteration's decisions, with what writes each answer.
    private var waiting: [(request: ServerRequest, answer: (HandlerResult) -> Void)] = []
    private var scheduled = false

    init(handler: any HTTPSHandler, loop: any EventLoop) {
        self.handler = handler
        self.loop = loop
    }

    /// Queues `request`; `answer` receives its result after every request of this
    /// iteration has been decided. Must be called on the cohort's loop.
    func enqueue(_ request: ServerRequest, answer: @escaping (HandlerResult) -> Void) {
        loop.assertInEventLoop()  // connection handlers run on their loop; checked in debug builds
        waiting.append((request, answer))
        guard !scheduled else { return }
        scheduled = true
        // Tasks run after the loop has handled every ready channel: the cohort is complete.
        loop.assumeIsolated().execute { self.decideAll() }
    }

    private func decideAll() {
        let batch = waiting
        waiting = []
        scheduled = false
        // First every decision, then every answer: writing an answer runs the HTTP
        // encoder and TLS, which is exactly the code that should not come in between.
        let decided = batch.map { handler.respond(to: $0.request) }
        for (item, result) in zip(batch, decided) { item.answer(result) }
    }
}
