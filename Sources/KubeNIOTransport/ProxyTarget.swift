import AsyncHTTPClient
import Foundation
import KubeClient

/// A plain `http://` proxy that API-server connections are tunnelled through with `CONNECT`
/// (AsyncHTTPClient opens the tunnel, for https and http servers alike).
///
/// Why only this kind: in a cluster the webhook talks to the API server directly, and the
/// proxies that do get in the way there are the `HTTPS_PROXY` ones of corporate networks,
/// which are plain HTTP proxies answering CONNECT. `https://` proxies are not supported by
/// AsyncHTTPClient, and `socks5://` ones are refused as before (the plugin's libcurl has them);
/// both are refused with advice.
struct ProxyTarget: Sendable, Hashable {
    var host: String
    var port: Int
    /// `Proxy-Authorization` value for credentials in the proxy URL (`http://user:pass@host`).
    var authorization: String?

    /// Parses a proxy URL; throws `TransportError` (`.proxy`) for anything but `http://host[:port]`.
    static func parse(_ url: String, server: String) throws -> ProxyTarget {
        guard let components = URLComponents(string: url), let scheme = components.scheme?.lowercased(),
              var host = components.host, !host.isEmpty else {
            throw TransportError(server: server, kind: .proxy, detail: "the proxy URL \"\(url)\" is not an absolute URL with a host")
        }
        guard scheme == "http" else {
            throw TransportError(server: server, kind: .proxy, detail: """
                the webhook's SwiftNIO transport supports only http:// proxies (CONNECT tunnels), not \(scheme)://; \
                run the webhook in-cluster so it reaches the API server directly, remove proxy-url from the kubeconfig \
                cluster, or unset HTTPS_PROXY (or add the API server to NO_PROXY)
                """)
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        var authorization: String?
        if let user = components.user {
            let credentials = "\(user.removingPercentEncoding ?? user):\(components.password.map { $0.removingPercentEncoding ?? $0 } ?? "")"
            authorization = "Basic " + Data(credentials.utf8).base64EncodedString()
        }
        return ProxyTarget(host: host, port: components.port ?? 80, authorization: authorization)
    }

    /// `host:port` as messages name the proxy (brackets for IPv6).
    var name: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }

    /// The proxy as AsyncHTTPClient's configuration names it.
    var configuration: HTTPClient.Configuration.Proxy {
        let credentials = authorization.map { HTTPClient.Authorization.basic(credentials: String($0.dropFirst("Basic ".count))) }
        return .server(host: host, port: port, authorization: credentials)
    }
}
