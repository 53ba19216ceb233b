import Foundation
import KubeClient
import NIOCore

/// A plain `http://` proxy that API-server connections are tunnelled through with `CONNECT`.
///
/// Why only this kind: in a cluster the webhook talks to the API server directly, and the
/// proxies that do get in the way there are the `HTTPS_PROXY` ones of corporate networks,
/// which are plain HTTP proxies answering CONNECT. `https://` and `socks5://` proxies need more
/// machinery than the webhook should carry; they are refused with advice.
struct ProxyTarget: Sendable, Hashable {
    var host: String
    var port: Int
    /// `Proxy-Authorization` value for credentials in the proxy URL (`http://user:pass@host`).
    var authorization: String?

    /// Parses a proxy URL; throws `TransportError` (`.proxy`) for anything but `http://host[:port]`.
    static func parse(_ url: String, server: String) throws -> ProxyTarget {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
            var host = components.host, !host.isEmpty
        else {
            throw TransportError(
                server: server, kind: .proxy, detail: "the proxy URL \"\(url)\" is not an absolute URL with a host")
        }
        guard scheme == "http" else {
            throw TransportError(
                server: server, kind: .proxy,
                detail: """
                    the webhook's SwiftNIO transport supports only http:// proxies (CONNECT tunnels), not \(scheme)://; \
                    run the webhook in-cluster so it reaches the API server directly, remove proxy-url from the kubeconfig \
                    cluster, or unset HTTPS_PROXY (or add the API server to NO_PROXY)
                    """)
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var authorization: String?
        if let user = components.user {
            let credentials =
                "\(user.removingPercentEncoding ?? user):\(components.password.map { $0.removingPercentEncoding ?? $0 } ?? "")"
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        }
        return ProxyTarget(host: host, port: components.port ?? 80, authorization: authorization)
    }

    /// The CONNECT request for `target` (`host:port`, brackets for IPv6).
    static func connectRequest(to target: RequestTarget, authorization: String?) -> String {
        let authority = target.host.contains(":") ? "[\(target.host)]:\(target.port)" : "\(target.host):\(target.port)"
        var text = "CONNECT \(authority) HTTP/1.1\r\nHost: \(authority)\r\n"
        if let authorization { text += "Proxy-Authorization: \(authorization)\r\n" }
        return text + "\r\n"
    }

    /// The status code of a complete response head (`HTTP/1.1 200 Connection established`),
    /// nil when the head is not HTTP.
    static func status(ofHead head: String) -> Int? {
        guard let line = head.split(separator: "\r\n", maxSplits: 1).first else { return nil }
        let parts = line.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let code = Int(parts[1]) else { return nil }
        return code
    }
}

/// Sends `CONNECT` when the connection to the proxy is up and completes `promise` once the proxy
/// answered 2xx (the tunnel is open; this handler is then replaced by TLS and HTTP), or fails
/// it with `TransportError` of kind `.proxy`.
final class ProxyTunnelHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let request: String
    private let proxyName: String
    private var promise: EventLoopPromise<Void>?
    private var received = ByteBuffer()

    init(request: String, proxyName: String, promise: EventLoopPromise<Void>) {
        self.request = request
        self.proxyName = proxyName
        self.promise = promise
    }

    func channelActive(context: ChannelHandlerContext) {
        context.writeAndFlush(wrapOutboundOut(ByteBuffer(string: request)), promise: nil)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var chunk = unwrapInboundIn(data)
        received.writeBuffer(&chunk)
        let text = String(decoding: received.readableBytesView, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else {
            if received.readableBytes > 16 * 1024 {
                fail(context: context, "the proxy's answer to CONNECT is not HTTP")
            }
            return
        }
        let head = String(text[..<end.lowerBound])
        guard let status = ProxyTarget.status(ofHead: head) else {
            fail(context: context, "the proxy's answer to CONNECT is not HTTP")
            return
        }
        guard (200..<300).contains(status) else {
            let line = head.split(separator: "\r\n", maxSplits: 1).first.map(String.init) ?? ""
            let advice = status == 407 ? " (put credentials in the proxy URL: http://user:password@host:port)" : ""
            fail(context: context, "the proxy \(proxyName) refused the tunnel: \(line)\(advice)")
            return
        }
        promise?.succeed()
        promise = nil
    }

    func channelInactive(context: ChannelHandlerContext) {
        promise?.fail(
            TransportError(
                server: "", kind: .proxy,
                detail: "the proxy \(proxyName) closed the connection before opening the tunnel"))
        promise = nil
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, "the connection to the proxy \(proxyName) failed: \(error) (SwiftNIO)")
    }

    /// Fails the tunnel from outside (timeout, cancellation) and closes the connection.
    func abort(_ error: any Error, context: ChannelHandlerContext) {
        promise?.fail(error)
        promise = nil
        context.close(promise: nil)
    }

    private func fail(context: ChannelHandlerContext, _ detail: String) {
        abort(TransportError(server: "", kind: .proxy, detail: detail), context: context)
    }
}
