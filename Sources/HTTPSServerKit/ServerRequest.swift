import Foundation
import NIOCore
import NIOHTTP1

/// Who is on the other end of a TLS connection, from the client certificate that the
/// handshake verified against the configured CA.
///
/// Kubernetes maps a client certificate's subject CN to the user name and each O to a
/// group; the sandbox authenticates with exactly that.
public struct PeerIdentity: Sendable, Equatable {
    public var commonName: String?
    public var organizations: [String]

    public init(commonName: String?, organizations: [String]) {
        self.commonName = commonName
        self.organizations = organizations
    }
}

/// One query parameter, percent-decoded.
public struct QueryItem: Sendable, Equatable {
    public var name: String
    public var value: String?

    public init(name: String, value: String?) {
        self.name = name
        self.value = value
    }
}

/// A complete HTTP request as the handler sees it: head, the whole body, and the peer.
public struct ServerRequest: Sendable {
    public var method: HTTPMethod
    /// The request target as sent, path and query.
    public var uri: String
    public var headers: HTTPHeaders
    public var body: ByteBuffer
    /// The verified client certificate's identity; nil without TLS or without a client certificate.
    public var peer: PeerIdentity?
    /// "ip:port" of the client, when known.
    public var remoteAddress: String?

    public init(
        method: HTTPMethod, uri: String, headers: HTTPHeaders = [:], body: ByteBuffer = ByteBuffer(),
        peer: PeerIdentity? = nil, remoteAddress: String? = nil
    ) {
        self.method = method
        self.uri = uri
        self.headers = headers
        self.body = body
        self.peer = peer
        self.remoteAddress = remoteAddress
    }

    /// The path without the query, not percent-decoded (Kubernetes paths need no decoding).
    /// (Searched as UTF-8 bytes: `firstIndex(of:)` on the string compared Characters,
    /// which showed on every request.)
    public var path: String {
        if let q = uri.utf8.firstIndex(of: UInt8(ascii: "?")) { return String(uri[..<q]) }
        return uri
    }

    /// The raw query string after '?', if any.
    public var query: String? {
        guard let q = uri.utf8.firstIndex(of: UInt8(ascii: "?")) else { return nil }
        return String(uri[uri.utf8.index(after: q)...])
    }

    /// Query parameters in order, percent-decoded ('+' counts as a space, as in forms).
    public var queryItems: [QueryItem] {
        guard let query, !query.isEmpty else { return [] }
        return query.split(separator: "&", omittingEmptySubsequences: true).map { pair in
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            let value = parts.count > 1 ? Self.decode(parts[1]) : nil
            return QueryItem(name: name, value: value)
        }
    }

    /// The first value of query parameter `name`.
    public func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// The body as Data (a copy), for decoders that want Foundation types.
    public var bodyData: Data { Data(body.readableBytesView) }

    /// The body as an array (one copy), for decoders that read bytes.
    public var bodyBytes: [UInt8] { body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? [] }

    private static func decode(_ s: Substring) -> String {
        let spaced = s.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }
}
