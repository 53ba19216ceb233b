import Foundation
import KubeClient
import NIOHTTP1

/// Where a request goes and what its HTTP/1.1 head looks like, worked out from an
/// `HTTPRequest` before any I/O.
///
/// Why separate: URL parsing (IPv6 literals, default ports, tls-server-name) and header framing
/// decide whether the right server gets the right bytes; they are pure and tested without a socket.
struct RequestTarget: Sendable, Equatable {
    /// `http` or `https`.
    var scheme: String
    /// Host to connect to, without brackets for IPv6 literals.
    var host: String
    var port: Int
    /// Path and query as sent on the request line (`/api/v1/pods?watch=true`).
    var pathAndQuery: String
    /// `host[:port]` as the `Host` header carries it (brackets for IPv6, port only when given).
    var hostHeader: String

    var isTLS: Bool { scheme == "https" }

    /// Parses an absolute `http`/`https` URL; throws `TransportError` (`.other`) otherwise.
    static func parse(_ url: String) throws -> RequestTarget {
        guard let components = URLComponents(string: url),
            let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
            var host = components.host, !host.isEmpty
        else {
            throw TransportError(
                server: url, kind: .other,
                detail: "\"\(url)\" is not an absolute http:// or https:// URL with a host")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let port = components.port ?? (scheme == "https" ? 443 : 80)
        guard (1...65535).contains(port) else {
            throw TransportError(server: url, kind: .other, detail: "port \(port) in \"\(url)\" is out of range")
        }
        var path = components.percentEncodedPath
        if path.isEmpty { path = "/" }
        if let query = components.percentEncodedQuery { path += "?" + query }
        let hostPart = host.contains(":") ? "[\(host)]" : host
        let hostHeader = components.port.map { "\(hostPart):\($0)" } ?? hostPart
        return RequestTarget(scheme: scheme, host: host, port: port, pathAndQuery: path, hostHeader: hostHeader)
    }

    /// The name sent as SNI and verified in the server's certificate: `tls-server-name` when set,
    /// else the URL's host unless it is an IP address (SNI cannot carry one; NIOSSL then
    /// verifies the certificate against the peer's address).
    static func sniName(host: String, serverName: String?) -> String? {
        if let serverName, !serverName.isEmpty { return serverName }
        return isIPAddress(host) ? nil : host
    }

    static func isIPAddress(_ host: String) -> Bool {
        var v4 = in_addr()
        var v6 = in6_addr()
        return inet_pton(AF_INET, host, &v4) == 1 || inet_pton(AF_INET6, host, &v6) == 1
    }

    /// The request head: `Host` first (unless the caller set one), the caller's headers in
    /// order with repeats kept, and `Content-Length` for a body (0 for body-carrying methods
    /// without one), so NIO never switches to chunked uploads. Like the curl transport: no
    /// `Accept-Encoding` (responses arrive uncompressed), no `Expect: 100-continue`.
    static func head(
        method: String, target: RequestTarget, headers: [(name: String, value: String)],
        bodyLength: Int?
    ) -> HTTPRequestHead {
        var fields = HTTPHeaders()
        if !headers.contains(where: { $0.name.lowercased() == "host" }) {
            fields.add(name: "Host", value: target.hostHeader)
        }
        for (name, value) in headers {
            let lowered = name.lowercased()
            // Framing is ours to decide; an empty `Expect` is curl's way of saying "none".
            if lowered == "content-length" || lowered == "transfer-encoding" { continue }
            if lowered == "expect" && value.isEmpty { continue }
            fields.add(name: name, value: value)
        }
        let upper = method.uppercased()
        if let bodyLength {
            fields.add(name: "Content-Length", value: String(bodyLength))
        } else if ["POST", "PUT", "PATCH"].contains(upper) {
            fields.add(name: "Content-Length", value: "0")
        }
        return HTTPRequestHead(
            version: .http1_1, method: HTTPMethod(rawValue: upper), uri: target.pathAndQuery,
            headers: fields)
    }
}

/// What identifies interchangeable connections: same server, same TLS identity and trust.
struct ConnectionKey: Hashable, Sendable {
    var scheme: String
    var host: String
    var port: Int
    /// Nil for plain HTTP (TLS settings do not matter there).
    var tls: TLSOptions?
    /// The proxy tunnelled through, if any.
    var proxy: ProxyTarget?

    init(target: RequestTarget, tls: TLSOptions, proxy: ProxyTarget? = nil) {
        scheme = target.scheme
        host = target.host.lowercased()
        port = target.port
        self.tls = target.isTLS ? tls : nil
        self.proxy = proxy
    }
}
