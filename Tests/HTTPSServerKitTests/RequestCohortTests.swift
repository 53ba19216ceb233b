import Logging
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Synchronization
import Testing

@testable import HTTPSServerKit
import TestSupport

/// `RequestCohort`: the requests completed in one loop iteration are decided back to back,
/// after every ready connection has been read, and only then answered, in order. Two
/// connections share one `EmbeddedEventLoop`, whose tasks run only when told to, so "read
/// but not decided yet" and "all decided before any answer" are observable.
@Suite("Request cohort: one loop iteration's requests decided together, then answered in order")
struct RequestCohortTests {
    /// What happened, in order, across both connections.
    final class Journal: Sendable {
        private let entries = Mutex<[String]>([])
        func note(_ entry: String) { entries.withLock { $0.append(entry) } }
        var all: [String] { entries.withLock { $0 } }
    }

    /// Decides on the loop: notes the decision and answers with the path.
    struct Recorder: HTTPSHandler {
        let journal: Journal
        func handle(_ request: ServerRequest) async -> ServerResponse { respondNow(request) }
        func respond(to request: ServerRequest) -> HandlerResult { .now(respondNow(request)) }
        private func respondNow(_ request: ServerRequest) -> ServerResponse {
            journal.note("decide \(request.path)")
            return .text(.ok, request.path)
        }
    }

    /// First in the pipeline: notes every write that reaches the socket side.
    final class WriteSpy: ChannelOutboundHandler, Sendable {
        typealias OutboundIn = ByteBuffer
        let name: String, journal: Journal
        init(_ name: String, _ journal: Journal) { self.name = name; self.journal = journal }
        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            journal.note("write \(name)")
            context.write(data, promise: promise)
        }
    }

    /// One event loop with its cohort, and the journal its connections write to.
    struct Loop {
        let loop = EmbeddedEventLoop()
        let journal = Journal()
        let cohort: RequestCohort

        init() { cohort = RequestCohort(handler: Recorder(journal: journal), loop: loop) }

        /// A connection on this loop with the server's pipeline, its writes journaled as `name`.
        func connection(_ name: String) throws -> EmbeddedChannel {
            try serverConnection(
                Recorder(journal: journal), loop: loop, cohort: cohort, socketSide: [WriteSpy(name, journal)])
        }
    }

    @Test("two connections' requests: both decided after both reads, before either answer is written")
    func decidedTogether() throws {
        let server = Loop(), loop = server.loop, journal = server.journal
        let a = try server.connection("a"), b = try server.connection("b")

        try a.writeInbound(gets("/from-a"))
        try b.writeInbound(gets("/from-b"))
        #expect(journal.all.isEmpty, "nothing is decided inside a read")

        loop.run()
        let entries = journal.all
        #expect(Array(entries.prefix(2)) == ["decide /from-a", "decide /from-b"])
        #expect(
            entries.dropFirst(2).allSatisfy { $0.hasPrefix("write ") } && entries.count > 2,
            "every write comes after both decisions: \(entries)")
        let firstB = entries.firstIndex(of: "write b") ?? -1
        #expect(
            entries.firstIndex(of: "write a").map { $0 < firstB } == true,
            "answers leave in the order the requests came")

        let answerA = try a.writtenText(), answerB = try b.writtenText()
        #expect(answerA.hasPrefix("HTTP/1.1 200 OK\r\n") && answerA.hasSuffix("\r\n\r\n/from-a"))
        #expect(answerB.hasPrefix("HTTP/1.1 200 OK\r\n") && answerB.hasSuffix("\r\n\r\n/from-b"))
        _ = try? a.finish()
        _ = try? b.finish()
    }

    @Test("a connection that closed before its cohort was decided gets no write; the other still does")
    func closedMeanwhile() throws {
        let server = Loop(), loop = server.loop, journal = server.journal
        let a = try server.connection("a"), b = try server.connection("b")
        try a.writeInbound(gets("/gone"))
        try b.writeInbound(gets("/stays"))
        try a.close().wait()

        loop.run()
        #expect(!journal.all.contains("write a"))
        #expect(try b.writtenText().hasSuffix("\r\n\r\n/stays"))
        _ = try? b.finish()
    }

    @Test("a later iteration forms a new cohort: each request is decided exactly once")
    func successiveIterations() throws {
        let server = Loop(), loop = server.loop, journal = server.journal
        let a = try server.connection("a")
        for path in ["/1", "/2", "/3"] {
            try a.writeInbound(gets(path))
            loop.run()
            #expect(try a.writtenText().hasSuffix("\r\n\r\n\(path)"))
        }
        #expect(journal.all.filter { $0.hasPrefix("decide") } == ["decide /1", "decide /2", "decide /3"])
        _ = try? a.finish()
    }
}
