import Foundation
import KubeClient
import NIOCore
import Testing
import TestSupport
@testable import KubeNIOTransport
import Synchronization

/// CONNECT tunnels through plain `http://` proxies, and what happens when the proxy says no.
@Suite("NIOTransport through HTTP CONNECT proxies")
struct ProxyTests {
    @Test func kubeClientWorksThroughAConnectProxy() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.stop() } }
        var config = fixture.tokenConfig()
        config.proxy = proxy.url
        let transport = NIOTransport()
        let client = KubeClient(config: config, transport: transport)
        _ = try await client.create(configMaps, body: try configMap("via-proxy"))
        #expect(try name(try await client.get(configMaps + "/via-proxy")) == "via-proxy")
        var events: [String] = []
        for try await event in client.watch(configMaps, allowBookmarks: false, timeoutSeconds: 1) {
            events.append("\(event.type.rawValue) \(try name(event.object) ?? "?")")
        }
        #expect(events == ["ADDED via-proxy"])
        // One pooled tunnel for the create and the get, one for the watch.
        #expect(proxy.targets == ["127.0.0.1:\(fixture.sandbox.port)", "127.0.0.1:\(fixture.sandbox.port)"])
        #expect(transport.pool.openedConnections == 2)
    }

    @Test func aTunnelTheProxyCannotOpenIsAProxyError() async throws {
        let proxy = try await ConnectProxy.start()
        defer { Task { await proxy.stop() } }
        let closed = try await RawServer.start()
        let port = closed.port
        await closed.stop()
        let error = await expectTransportError(.proxy) {
            _ = try await NIOTransport().perform(
                HTTPRequest(method: "GET", url: "https://127.0.0.1:\(port)/api", proxy: proxy.url))
        }
        #expect(error?.detail.contains("502") == true, "\(String(describing: error))")
    }

    @Test func anUnreachableProxyIsAProxyError() async throws {
        let closed = try await RawServer.start()
        let port = closed.port
        await closed.stop()
        await expectTransportError(.proxy) {
            _ = try await NIOTransport().perform(
                HTTPRequest(
                    method: "GET", url: "https://10.0.0.1:6443/api",
                    proxy: "http://127.0.0.1:\(port)"))
        }
    }

    @Test func proxyCredentialsAreSentAnd407IsExplained() async throws {
        let seen = SeenText()
        let proxy = try await RawServer.start { channel in
            try channel.pipeline.syncOperations.addHandler(Answer407(seen: seen))
        }
        defer { Task { await proxy.stop() } }
        let error = await expectTransportError(.proxy) {
            _ = try await NIOTransport().perform(
                HTTPRequest(
                    method: "GET", url: "https://[fd00::1]:6443/api",
                    proxy: "http://al%40ice:s3cret@127.0.0.1:\(proxy.port)"))
        }
        #expect(error?.detail.contains("407") == true)
        #expect(error?.detail.contains("user:password") == true)
        let expected = "Proxy-Authorization: Basic " + Data("al@ice:s3cret".utf8).base64EncodedString()
        #expect(seen.text.hasPrefix("CONNECT [fd00::1]:6443 HTTP/1.1\r\n"), "\(seen.text)")
        #expect(seen.text.contains(expected + "\r\n"), "\(seen.text)")
    }

    @Test(arguments: ["socks5://127.0.0.1:1080", "https://proxy.example:3128"])
    func otherProxyKindsAreRefusedWithAdvice(_ proxy: String) async throws {
        let error = await expectTransportError(.proxy) {
            _ = try await NIOTransport().perform(
                HTTPRequest(method: "GET", url: "https://10.0.0.1:6443/api", proxy: proxy))
        }
        #expect(error?.detail.contains("only http:// proxies") == true)
        #expect(error?.detail.contains("in-cluster") == true)
    }

    @Test func connectRequestAndAnswerParsing() throws {
        let target = try RequestTarget.parse("https://api.example:6443/api")
        #expect(
            ProxyTarget.connectRequest(to: target, authorization: nil)
                == "CONNECT api.example:6443 HTTP/1.1\r\nHost: api.example:6443\r\n\r\n")
        #expect(ProxyTarget.status(ofHead: "HTTP/1.1 200 Connection established") == 200)
        #expect(ProxyTarget.status(ofHead: "HTTP/1.0 407 Proxy Authentication Required\r\nX: y") == 407)
        #expect(ProxyTarget.status(ofHead: "SSH-2.0-OpenSSH") == nil)
        let parsed = try ProxyTarget.parse("http://proxy.corp", server: "s")
        #expect(parsed == ProxyTarget(host: "proxy.corp", port: 80, authorization: nil))
        #expect(throws: TransportError.self) { try ProxyTarget.parse("not a url", server: "s") }
    }
}

final class SeenText: Sendable {
    private let value = Mutex("")
    func append(_ text: String) { value.withLock { $0 += text } }
    var text: String { value.withLock { $0 } }
}

/// A "proxy" that records what it was sent and demands authentication.
final class Answer407: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    let seen: SeenText
    init(seen: SeenText) { self.seen = seen }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        seen.append(String(decoding: buffer.readableBytesView, as: UTF8.self))
        guard seen.text.contains("\r\n\r\n") else { return }
        let answer =
            "HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n"
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: answer))).whenComplete { _ in
            loopBound.value.close(promise: nil)
        }
    }
}
