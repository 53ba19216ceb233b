import Foundation
import Logging
import HTTPSServerKit
import NIOCore
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

/// Shutdown as the API server needs it: a rolling update of the webhook must not fail a
/// single admission call that reached it.
@Suite("Graceful drain and half-closed requests")
struct DrainTests {
    @Test(
        "clients sending back to back through shutdown lose no request; each sees its connection end, then is refused")
    func noRequestLost() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: EchoHandler())
        let tls = try pki.clientTLS(), port = server.port
        let deadline = ContinuousClock.now + .seconds(30)
        let tallies = Task {
            await withTaskGroup(of: SendTally.self) { group in
                for _ in 0..<8 { group.addTask { await keepSending(port: port, tls: tls, until: deadline) } }
                return await group.reduce(into: [SendTally]()) { $0.append($1) }
            }
        }
        // Let every client get going, then stop the server under them.
        try await Task.sleep(for: .milliseconds(700))
        let started = ContinuousClock.now
        await server.shutdown(grace: .seconds(10))
        let took = ContinuousClock.now - started
        let all = await tallies.value
        let lost = all.reduce(0) { $0 + $1.lost }
        #expect(lost == 0, "lost: \(all.flatMap(\.lostErrors))")
        #expect(all.allSatisfy { $0.answered > 0 })
        // Every client saw its connection end with an answer saying so, then was refused.
        #expect(all.allSatisfy { $0.closeHeaders + $0.unsent >= 1 && $0.refused == 1 }, "\(all)")
        #expect(took < .seconds(10), "shutdown took \(took): the grace period is a bound, not a wait")
        #expect(server.openConnections == 0)
    }

    @Test("idle keep-alive connections are closed after the quiet period, not at the end of the grace period")
    func idleConnectionsCloseQuickly() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: EchoHandler())
        var idle: [HTTPSClient] = []
        for _ in 0..<4 {
            let c = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
            #expect(try await c.send(.GET, "/").status == .ok)
            idle.append(c)
        }
        let started = ContinuousClock.now
        await server.shutdown(grace: .seconds(30), quietPeriod: .milliseconds(200))
        let took = ContinuousClock.now - started
        // Far below the 30 s grace it would otherwise wait, with room for a loaded machine.
        #expect(took < .seconds(10), "took \(took)")
        for c in idle { await c.closed() }
    }

    @Test("a request that arrives on an idle connection during the quiet period is answered, with Connection: close")
    func requestDuringQuietPeriod() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: EchoHandler())
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        #expect(try await client.send(.GET, "/first").status == .ok)
        async let stopped: Void = server.shutdown(grace: .seconds(30), quietPeriod: .seconds(20))
        try await Task.sleep(for: .milliseconds(200))  // the drain has begun; the connection is idle
        let answer = try await client.send(.GET, "/second")
        #expect(answer.status == .ok)
        #expect(answer.headers.first(name: "connection") == "close")
        await client.closed()
        await stopped
    }

    @Test("a request followed by the client's half-close is answered before the connection closes", arguments: 0..<3)
    func halfClosedRequestAnswered(round: Int) async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(tlsConfig(pki), handler: EchoHandler())
        for i in 0..<10 {
            let raw = try await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
            try await raw.send(
                "POST /validate HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}")
            try await raw.closeOutput()
            let answer = try await raw.receivedUntilClose()
            #expect(answer.hasPrefix("HTTP/1.1 200"), "round \(round), request \(i): \(answer.prefix(80))")
        }
        await server.shutdown(grace: .seconds(2))
    }

    @Test("a flood at the connection cap is logged once per interval with a count, not once per connection")
    func refusalsRateLimited() async throws {
        let pki = try TestPKI.make()
        var limits = ServerLimits.forTests
        limits.maxConnections = 1
        let capture = LineCapture()
        var config = tlsConfig(pki, limits: limits)
        config.logger = capture.logger
        let server = try await HTTPSServer.start(config, handler: EchoHandler())
        let inside = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        #expect(try await inside.send(.GET, "/").status == .ok)
        for _ in 0..<30 {
            if let extra = try? await RawConnection.connect(host: "127.0.0.1", port: server.port, tls: nil) {
                _ = try? await extra.receivedUntilClose()
            }
        }
        try await waitFor("30 refusals counted") { server.refusedConnections >= 30 }
        let refusals = capture.messages.filter { $0.hasPrefix("connections refused") }
        #expect(refusals.count == 1, "\(refusals)")
        await inside.close()
        await server.shutdown(grace: .seconds(2))
    }
}

/// Log messages, captured.
final class LineCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var logger: Logger {
        Logger(label: "test") { _ in CapturingHandler(capture: self) }
    }

    var messages: [String] { lines.withLock { $0 } }

    fileprivate func append(_ line: String) { lines.withLock { $0.append(line) } }
}

private struct CapturingHandler: LogHandler {
    let capture: LineCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        capture.append("\(event.message)")
    }
}
