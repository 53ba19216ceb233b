import Foundation

/// Chooses the proxy for a server the way kubectl (Go's `http.ProxyFromEnvironment`) does.
///
/// Why pure and separate: curl's own environment handling differs from Go's (Go never proxies
/// loopback addresses, and `NO_PROXY` matching rules differ), so we decide here and hand curl an
/// explicit answer.
enum ProxyResolver {
    /// `proxy-url` from the kubeconfig wins; else `HTTPS_PROXY`/`https_proxy` for https servers
    /// (`HTTP_PROXY`/`http_proxy` for http), unless the host is loopback or matches `NO_PROXY`.
    static func proxy(forServer server: String, proxyURL: String?, environment: [String: String]) -> String? {
        if let proxyURL, !proxyURL.isEmpty { return proxyURL }
        guard let url = URLComponents(string: server), let host = url.host?.lowercased() else { return nil }
        let isHTTPS = url.scheme?.lowercased() != "http"
        let names = isHTTPS ? ["HTTPS_PROXY", "https_proxy"] : ["HTTP_PROXY", "http_proxy"]
        guard let proxy = names.compactMap({ environment[$0] }).first(where: { !$0.isEmpty }) else { return nil }
        if isLoopback(host) { return nil }
        let noProxy = ["NO_PROXY", "no_proxy"].compactMap { environment[$0] }.first ?? ""
        let port = url.port ?? (isHTTPS ? 443 : 80)
        if matchesNoProxy(host: host, port: port, noProxy: noProxy) { return nil }
        return proxy
    }

    static func isLoopback(_ host: String) -> Bool {
        let bare = host.trimmingCharacters(in: CharacterSet(charactersIn: "[]"))
        return bare == "localhost" || bare.hasSuffix(".localhost") || bare.hasPrefix("127.") || bare == "::1"
    }

    /// Go's rules: `*` matches all; entries are hosts or domain suffixes (`.example.com` or
    /// `example.com` both match subdomains), optionally with `:port`; CIDRs match IPv4 addresses.
    static func matchesNoProxy(host: String, port: Int, noProxy: String) -> Bool {
        for rawEntry in noProxy.split(separator: ",") {
            var entry = rawEntry.trimmingCharacters(in: .whitespaces).lowercased()
            if entry.isEmpty { continue }
            if entry == "*" { return true }
            if entry.contains("/") {
                if cidrContains(entry, host: host) { return true }
                continue
            }
            if let colon = entry.lastIndex(of: ":"), !entry.hasSuffix("]"), entry.filter({ $0 == ":" }).count == 1 {
                let entryPort = Int(entry[entry.index(after: colon)...])
                entry = String(entry[..<colon])
                if entryPort != port { continue }
            }
            if entry.hasPrefix("*.") { entry.removeFirst() }
            let domain = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if host == domain || host.hasSuffix("." + domain) { return true }
        }
        return false
    }

    private static func cidrContains(_ cidr: String, host: String) -> Bool {
        let parts = cidr.split(separator: "/")
        guard parts.count == 2, let bits = Int(parts[1]), (0...32).contains(bits),
            let network = ipv4(String(parts[0])), let address = ipv4(host)
        else { return false }
        let mask: UInt32 = bits == 0 ? 0 : UInt32.max << UInt32(32 - bits)
        return network & mask == address & mask
    }

    private static func ipv4(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4 else { return nil }
        var value: UInt32 = 0
        for octet in octets {
            guard let byte = UInt8(octet) else { return nil }
            value = value << 8 | UInt32(byte)
        }
        return value
    }
}
