import HTTPSServerKit
import NIOCore
import TestSupport
import Testing

/// A handler's task against the life of its connection and of the server's event loops:
/// work no one can read is cancelled, and a task that outlives the loops still finishes
/// (NIO drops a job enqueued on a loop that has shut down, so it would never resume).
@Suite("Handler tasks: cancelled when their connection closes, never stranded by shutdown")
struct HandlerLifetimeTests {
    /// A handler that waits a minute unless cancelled, then records whether it was.
    struct Sleeper {
        let started = Signal(), finished = Signal()
        let cancelled = Counter()

        var handler: ClosureHandler {
            ClosureHandler { [started, finished, cancelled] request in
                if request.path == "/quick" { return .text(.ok, "quick") }
                await started.fire()
                try? await Task.sleep(for: .seconds(60))
                if Task.isCancelled { cancelled.increment() }
                await finished.fire()
                return .text(.ok, "late")
            }
        }
    }

    @Test("a connection reset under a running handler cancels it; the server goes on serving")
    func resetCancels() async throws {
        // A FIN is not enough: a client may half-close after its request and still read the
        // answer (DrainTests). A reset, or the server closing the connection, ends it.
        let sleeper = Sleeper()
        let server = try await HTTPSServer.start(
            ServerConfiguration(host: "127.0.0.1", port: 0, tls: nil, limits: .forTests, threads: 2),
            handler: sleeper.handler)
        let client = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: nil)
        try await client.send("POST /slow HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\n{}")
        await sleeper.started.wait()
        await client.reset()
        #expect(await sleeper.finished.wait(upTo: .seconds(20)), "the handler was not cancelled")
        #expect(sleeper.cancelled.value == 1)
        let next = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: nil)
        try await next.send("GET /quick HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        #expect(try await next.receivedUntilClose().hasSuffix("quick"))
        await server.shutdown(grace: .seconds(2))
    }

    @Test("a handler still running when the grace runs out is cancelled and finishes")
    func graceRunsOut() async throws {
        let pki = try TestPKI.make()
        let sleeper = Sleeper()
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: sleeper.handler)
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        let pending = Task { try await client.send(.POST, "/slow", body: ByteBuffer(string: "{}")) }
        await sleeper.started.wait()
        await server.shutdown(grace: .milliseconds(200))
        #expect(await sleeper.finished.wait(upTo: .seconds(20)), "the handler was not cancelled at the grace")
        #expect(sleeper.cancelled.value == 1)
        await #expect(throws: (any Error).self) { _ = try await pending.value }
    }

    @Test("a handler that ignores cancellation resumes after the server's loops have shut down")
    func outlivesTheLoops() async throws {
        let pki = try TestPKI.make()
        let started = Signal(), release = Signal(), finished = Signal()
        let handler = ClosureHandler { _ in
            await started.fire()
            await release.wait()  // not cancellable: a call that never looks at cancellation
            await finished.fire()
            return .text(.ok, "too late")
        }
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: handler)
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        let pending = Task { try await client.send(.POST, "/slow", body: ByteBuffer(string: "{}")) }
        await started.wait()
        await server.shutdown(grace: .milliseconds(200))  // returns with the loops shut down
        await release.fire()
        #expect(await finished.wait(upTo: .seconds(20)), "the handler's task was never resumed")
        await #expect(throws: (any Error).self) { _ = try await pending.value }
    }
}
