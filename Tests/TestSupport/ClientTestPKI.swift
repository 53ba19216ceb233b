import KubeCertificates

/// Certificates for the API-client tests (both KubeClient transports), generated once per test
/// process with KubeCertificates (OpenSSL), never committed.
public struct ClientTestPKI: Sendable {
    /// The CA that signs the servers and the good client certificates.
    public let ca: CertificateAndKey
    /// A CA unrelated to the servers: trusting it must fail verification.
    public let otherCA: CertificateAndKey
    /// Server certificate for 127.0.0.1 and localhost, signed by `ca`.
    public let server: CertificateAndKey
    /// Server certificate naming only `api.internal.test` (for tls-server-name).
    public let namedServer: CertificateAndKey
    /// Client certificate (ECDSA) for user "alice" in group "devs", signed by `ca`.
    public let client: CertificateAndKey
    /// Client certificate with an RSA key, user "bob", signed by `ca`.
    public let rsaClient: CertificateAndKey
    /// Client certificate signed by `otherCA` (a server trusting `ca` must reject it).
    public let strangerClient: CertificateAndKey

    static let shared: Result<ClientTestPKI, any Error> = Result { try ClientTestPKI() }

    public static func get() throws -> ClientTestPKI { try shared.get() }

    private init() throws {
        ca = try CertificateFactory.makeCA(commonName: "kube-client-test-ca")
        otherCA = try CertificateFactory.makeCA(commonName: "some-other-ca")
        server = try CertificateFactory.issue(
            CertificateSpec(commonName: "kube-apiserver", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], usage: .server),
            signedBy: ca)
        namedServer = try CertificateFactory.issue(
            CertificateSpec(commonName: "api.internal.test", dnsNames: ["api.internal.test"], usage: .server),
            signedBy: ca)
        client = try CertificateFactory.issue(
            CertificateSpec(commonName: "alice", organizations: ["devs"], usage: .client), signedBy: ca)
        rsaClient = try CertificateFactory.issue(
            CertificateSpec(commonName: "bob", usage: .client, keyAlgorithm: .rsa(bits: 2048)), signedBy: ca)
        strangerClient = try CertificateFactory.issue(
            CertificateSpec(commonName: "mallory", usage: .client), signedBy: otherCA)
    }
}
