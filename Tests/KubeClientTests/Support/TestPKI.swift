import Foundation
import KubeCertificates
@testable import KubeClient

/// Certificates for the tests, generated once per test process with KubeCertificates (OpenSSL),
/// never committed.
struct TestPKI: Sendable {
    /// The CA that signs the server and the good client certificate.
    let ca: CertificateAndKey
    /// A CA unrelated to the server: trusting it must fail verification.
    let otherCA: CertificateAndKey
    /// Server certificate for 127.0.0.1 and localhost, signed by `ca`.
    let server: CertificateAndKey
    /// Server certificate naming only `api.internal.test` (for tls-server-name).
    let namedServer: CertificateAndKey
    /// Client certificate (ECDSA) for user "alice" in group "devs", signed by `ca`.
    let client: CertificateAndKey
    /// Client certificate with an RSA key, signed by `ca`.
    let rsaClient: CertificateAndKey
    /// Client certificate signed by `otherCA` (the server must reject it).
    let strangerClient: CertificateAndKey

    static let shared: Result<TestPKI, any Error> = Result { try TestPKI() }

    static func get() throws -> TestPKI { try shared.get() }

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

    var serverTLS: ServerTLS { ServerTLS(certificatePEM: server.certificatePEM, keyPEM: server.privateKeyPEM) }
    var mutualTLS: ServerTLS {
        ServerTLS(certificatePEM: server.certificatePEM, keyPEM: server.privateKeyPEM, clientCAPEM: ca.certificatePEM)
    }
}

/// A scratch directory removed when the value goes away.
final class TempDir: Sendable {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "kube-client-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
        }
        return file
    }
}

extension String {
    var base64: String { Data(utf8).base64EncodedString() }
}
