import Foundation
import KubeCertificates

/// Throwaway certificates for every test suite, made with KubeCertificates (OpenSSL) and never
/// committed: a CA, a server certificate for 127.0.0.1 and localhost, both as PEM and as files
/// in a scratch directory, and client certificates on demand.
///
/// `make` gives a test a CA of its own (a rotation, a CA the server must not trust); `get`
/// gives the one PKI shared by the process, which also holds fixed identities for the API
/// client tests.
public final class TestPKI: Sendable {
    /// Prefix of the files, so that several PKIs can share a directory.
    public let name: String
    public let dir: URL
    public let ca: CertificateAndKey
    /// For 127.0.0.1 and localhost, signed by `ca`.
    public let server: CertificateAndKey
    private let identities: Identities?

    public var caFile: String { path("\(name)-ca.crt") }
    public var certFile: String { path("\(name)-server.crt") }
    public var keyFile: String { path("\(name)-server.key") }

    /// A new CA and server certificate, written to `dir` (by default a new scratch directory).
    public static func make(
        _ name: String = "test", serverName: String = "localhost", in dir: URL? = nil
    ) throws -> TestPKI {
        try TestPKI(name: name, serverName: serverName, dir: dir, identities: false)
    }

    /// The PKI shared by the test process, made once, with the fixed identities below.
    public static func get() throws -> TestPKI { try shared.get() }

    private static let shared = Result {
        try TestPKI(name: "shared", serverName: "kube-apiserver", dir: nil, identities: true)
    }

    private init(name: String, serverName: String, dir: URL?, identities: Bool) throws {
        self.name = name
        self.dir = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("test-pki-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: self.dir, withIntermediateDirectories: true)
        ca = try CertificateFactory.makeCA(commonName: "\(name) test CA", validityDays: 2)
        server = try CertificateFactory.issue(
            CertificateSpec(
                commonName: serverName, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: 2),
            signedBy: ca)
        self.identities = identities ? try Identities(ca) : nil
        try write(ca.certificatePEM, to: caFile)
        try write(server.certificatePEM, to: certFile)
        try write(server.privateKeyPEM, to: keyFile)
    }

    /// A certificate for `spec`, signed by this CA.
    public func issue(_ spec: CertificateSpec) throws -> CertificateAndKey {
        try CertificateFactory.issue(spec, signedBy: ca)
    }

    /// A client certificate for `cn` in groups `orgs`, signed by this CA.
    public func issueClient(cn: String, orgs: [String] = []) throws -> CertificateAndKey {
        try issue(CertificateSpec(commonName: cn, organizations: orgs, usage: .client, validityDays: 2))
    }

    /// A client certificate written next to the CA's files: its (certificate, key) paths.
    public func clientFiles(cn: String, orgs: [String] = []) throws -> (cert: String, key: String) {
        let issued = try issueClient(cn: cn, orgs: orgs)
        let base = path("\(name)-client-\(cn)-\(orgs.joined(separator: "_"))")
        try write(issued.certificatePEM, to: base + ".crt")
        try write(issued.privateKeyPEM, to: base + ".key")
        return (base + ".crt", base + ".key")
    }

    /// TLS for `HTTPSClient` and `RawConnection` trusting this CA, with a client certificate
    /// for `cn` (in groups `orgs`) when one is named.
    public func clientTLS(cn: String? = nil, orgs: [String] = []) throws -> ClientTLS {
        guard let cn else { return ClientTLS(trustRoots: .pem(ca.certificatePEM)) }
        let issued = try issueClient(cn: cn, orgs: orgs)
        return ClientTLS(
            trustRoots: .pem(ca.certificatePEM), certificate: .pem(issued.certificatePEM),
            privateKey: .pem(issued.privateKeyPEM))
    }

    public func path(_ file: String) -> String { dir.appendingPathComponent(file).path }

    private func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    // MARK: - The shared PKI's fixed identities (API client tests)

    /// A CA unrelated to the servers: trusting it must fail verification.
    public var otherCA: CertificateAndKey { shared.otherCA }
    /// Server certificate naming only `api.internal.test` (for tls-server-name).
    public var namedServer: CertificateAndKey { shared.namedServer }
    /// Client certificate (ECDSA) for user "alice" in group "devs".
    public var client: CertificateAndKey { shared.client }
    /// Client certificate with an RSA key, user "bob".
    public var rsaClient: CertificateAndKey { shared.rsaClient }
    /// Client certificate signed by `otherCA` (a server trusting `ca` must reject it).
    public var strangerClient: CertificateAndKey { shared.strangerClient }

    private var shared: Identities {
        guard let identities else { preconditionFailure("fixed identities exist on TestPKI.get() only") }
        return identities
    }

    /// Made once with the shared PKI: a test comparing what it wrote with what was read
    /// needs the same certificate each time it asks.
    private struct Identities: Sendable {
        let otherCA, namedServer, client, rsaClient, strangerClient: CertificateAndKey

        init(_ ca: CertificateAndKey) throws {
            otherCA = try CertificateFactory.makeCA(commonName: "some-other-ca")
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
}
