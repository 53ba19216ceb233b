/// Checks a client certificate and key before any connection: that the key parses and that it
/// is the certificate's key.
///
/// Why injectable: the check needs a crypto library, and the one to ask is the TLS library
/// that will use the pair. The plugin passes `.openSSL` (from `KubeCurl`, since libcurl uses
/// OpenSSL here), so a swapped or stale key is reported with the kubeconfig user's name. The webhook links no OpenSSL and keeps `.atHandshake`: its SwiftNIO transport reports
/// the same problem as `TransportError.Kind.clientCertificateInvalid` when it builds the TLS
/// context, which the webhook does at start (`NIOTransport.prepareTLS`).
public struct ClientKeyPairCheck: Sendable {
    /// What is wrong with a pair.
    public enum Problem: Error, Sendable, Equatable {
        /// The key does not parse; the library's words.
        case unusableKey(String)
        /// The certificate does not parse; the library's words.
        case unreadableCertificate(String)
        /// Both parse, but the key is not the certificate's.
        case keyDoesNotMatch
    }

    private let check: @Sendable (_ certificatePEM: String, _ keyPEM: String) -> Problem?

    /// - Parameter check: returns nil when the pair is usable.
    public init(_ check: @escaping @Sendable (_ certificatePEM: String, _ keyPEM: String) -> Problem?) {
        self.check = check
    }

    /// No check here: problems surface when the TLS handshake is prepared.
    public static let atHandshake = ClientKeyPairCheck { _, _ in nil }

    /// The problem with this pair, or nil.
    public func problem(certificatePEM: String, keyPEM: String) -> Problem? {
        check(certificatePEM, keyPEM)
    }
}
