import Foundation
import Testing
import TestSupport
@testable import KubeClient
@testable import KubeCurl

private let opensslPath = opensslCommandPath

/// Client keys in every PEM shape kubeconfigs carry: PKCS#8 (`PRIVATE KEY`, what KubeCertificates
/// writes), PKCS#1 (`RSA PRIVATE KEY`) and SEC1 (`EC PRIVATE KEY`), the last two converted at
/// test time with the openssl command.
@Suite(.enabled(if: FileManager.default.isExecutableFile(atPath: opensslPath), "needs the openssl command"))
struct KeyFormatTests {
    let pki: TestPKI
    let dir: TempDir
    init() throws {
        pki = try TestPKI.get()
        dir = try TempDir()
    }

    @Test(arguments: [("ec", "EC PRIVATE KEY"), ("rsa", "RSA PRIVATE KEY"), ("ec-pkcs8", "PRIVATE KEY")])
    func mutualTLSWithKeyFormat(kind: String, label: String) async throws {
        let identity = kind == "rsa" ? pki.rsaClient : pki.client
        let key = kind == "ec-pkcs8" ? identity.privateKeyPEM : try traditionalKeyPEM(identity.privateKeyPEM)
        #expect(key.hasPrefix("-----BEGIN \(label)-----"))
        try await withServer(tls: pki.mutualTLS, handler: { _ in .json(#"{"ok":true}"#) }) { server in
            let file = try dir.write(
                "config",
                """
                current-context: c
                clusters: [{name: k, cluster: {server: "\(server.url)", certificate-authority-data: \(pki.ca.certificatePEM.base64)}}]
                contexts: [{name: c, context: {cluster: k, user: u}}]
                users:
                - name: u
                  user: {client-certificate-data: \(identity.certificatePEM.base64), client-key-data: \(key.base64)}
                """)
            let config = try ClientConfig.load(
                KubeConfigOptions(kubeconfig: file), environment: ["HOME": dir.path], keyPairCheck: .openSSL)
            let body = try await KubeClient(config: config, transport: HTTPTransport()).get("/api")
            #expect(String(decoding: body, as: UTF8.self) == #"{"ok":true}"#)
        }
    }
}
