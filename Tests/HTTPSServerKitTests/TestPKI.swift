import Foundation
import HTTPSServerKit
import KubeCertificates
import TestSupport

/// Throwaway certificates made with KubeCertificates, written to a temporary directory:
/// one CA, a server certificate for 127.0.0.1/localhost, and client certificates with a
/// chosen CN and O.
struct TestPKI {
    let dir: URL
    let name: String
    let ca: CertificateAndKey

    var caCert: String { path("\(name)-ca.crt") }
    var serverCert: String { path("\(name)-server.crt") }
    var serverKey: String { path("\(name)-server.key") }

    static func make(_ name: String = "ca", in dir: URL? = nil) throws -> TestPKI {
        let dir = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("https-kit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pki = TestPKI(dir: dir, name: name, ca: try CertificateFactory.makeCA(commonName: "\(name) test CA", validityDays: 2))
        try pki.ca.certificatePEM.write(toFile: pki.caCert, atomically: true, encoding: .utf8)
        let server = try CertificateFactory.issue(
            CertificateSpec(commonName: "localhost", dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"], validityDays: 2), signedBy: pki.ca)
        try server.certificatePEM.write(toFile: pki.serverCert, atomically: true, encoding: .utf8)
        try server.privateKeyPEM.write(toFile: pki.serverKey, atomically: true, encoding: .utf8)
        return pki
    }

    /// A client certificate: returns (cert path, key path).
    func client(cn: String, orgs: [String]) throws -> (cert: String, key: String) {
        let base = "\(name)-client-\(cn)-\(orgs.joined(separator: "_"))"
        let issued = try CertificateFactory.issue(
            CertificateSpec(commonName: cn, organizations: orgs, usage: .client, validityDays: 2), signedBy: ca)
        try issued.certificatePEM.write(toFile: path("\(base).crt"), atomically: true, encoding: .utf8)
        try issued.privateKeyPEM.write(toFile: path("\(base).key"), atomically: true, encoding: .utf8)
        return (path("\(base).crt"), path("\(base).key"))
    }

    func clientTLS(cn: String? = nil, orgs: [String] = []) throws -> ClientTLS {
        guard let cn else { return ClientTLS(trustRoots: .file(caCert)) }
        let c = try client(cn: cn, orgs: orgs)
        return ClientTLS(trustRoots: .file(caCert), certificate: .file(c.cert), privateKey: .file(c.key))
    }

    func path(_ file: String) -> String { dir.appendingPathComponent(file).path }
}


/// A handler that echoes what it saw, so tests can check parsing and identity.
struct EchoHandler: HTTPSHandler {
    func handle(_ request: ServerRequest) async -> ServerResponse {
        var lines = ["method=\(request.method.rawValue)", "path=\(request.path)", "bytes=\(request.body.readableBytes)"]
        for item in request.queryItems { lines.append("q:\(item.name)=\(item.value ?? "<nil>")") }
        if let peer = request.peer {
            lines.append("cn=\(peer.commonName ?? "<nil>")")
            lines.append("o=\(peer.organizations.joined(separator: ","))")
        } else {
            lines.append("peer=none")
        }
        return .text(.ok, lines.joined(separator: "\n"))
    }
}

func tlsConfig(_ pki: TestPKI, clients: ClientCertificateMode = .none, limits: ServerLimits = .forTests,
               reload: Bool = false) -> ServerConfiguration {
    ServerConfiguration(host: "127.0.0.1", port: 0,
                        tls: TLSSettings(certificateChain: .file(pki.serverCert), privateKey: .file(pki.serverKey),
                                         clientCertificates: clients, reloadInterval: reload ? .milliseconds(50) : nil),
                        limits: limits, threads: 2)
}
