import Foundation
import HTTPSServerKit

/// Throwaway certificates made with the `openssl` CLI in a temporary directory.
///
/// Until KubeCertificates lands this is the test suite's CA: one CA, a server certificate
/// for 127.0.0.1/localhost, and client certificates with a chosen CN and O.
struct TestPKI {
    let dir: URL
    let name: String

    var caCert: String { path("\(name)-ca.crt") }
    var serverCert: String { path("\(name)-server.crt") }
    var serverKey: String { path("\(name)-server.key") }

    static func make(_ name: String = "ca", in dir: URL? = nil) throws -> TestPKI {
        let dir = dir ?? FileManager.default.temporaryDirectory.appendingPathComponent("https-kit-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let pki = TestPKI(dir: dir, name: name)
        try pki.openssl(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                         "-keyout", pki.path("\(name)-ca.key"), "-out", pki.caCert, "-days", "2",
                         "-subj", "/CN=\(name) test CA"])
        try pki.issue(cn: "localhost", orgs: [], cert: pki.serverCert, key: pki.serverKey,
                      ext: "subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth")
        return pki
    }

    /// A client certificate: returns (cert path, key path).
    func client(cn: String, orgs: [String]) throws -> (cert: String, key: String) {
        let base = "\(name)-client-\(cn)-\(orgs.joined(separator: "_"))"
        try issue(cn: cn, orgs: orgs, cert: path("\(base).crt"), key: path("\(base).key"), ext: "extendedKeyUsage=clientAuth")
        return (path("\(base).crt"), path("\(base).key"))
    }

    func clientTLS(cn: String? = nil, orgs: [String] = []) throws -> ClientTLS {
        guard let cn else { return ClientTLS(trustRoots: .file(caCert)) }
        let c = try client(cn: cn, orgs: orgs)
        return ClientTLS(trustRoots: .file(caCert), certificate: .file(c.cert), privateKey: .file(c.key))
    }

    func path(_ file: String) -> String { dir.appendingPathComponent(file).path }

    private func issue(cn: String, orgs: [String], cert: String, key: String, ext: String) throws {
        let csr = cert + ".csr", extFile = cert + ".ext"
        let subject = "/CN=\(cn)" + orgs.map { "/O=\($0)" }.joined()
        try openssl(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                     "-keyout", key, "-out", csr, "-subj", subject])
        try ext.write(toFile: extFile, atomically: true, encoding: .utf8)
        try openssl(["x509", "-req", "-in", csr, "-CA", caCert, "-CAkey", path("\(name)-ca.key"),
                     "-CAcreateserial", "-out", cert, "-days", "2", "-extfile", extFile])
    }

    private func openssl(_ args: [String]) throws {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        let errText = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw TestPKIError(description: "openssl \(args.joined(separator: " ")) failed: \(errText)")
        }
    }
}

struct TestPKIError: Error, CustomStringConvertible { var description: String }

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

func tlsConfig(_ pki: TestPKI, clients: ClientCertificateMode = .none, limits: ServerLimits = ServerLimits(),
               reload: Bool = false) -> ServerConfiguration {
    ServerConfiguration(host: "127.0.0.1", port: 0,
                        tls: TLSSettings(certificateChain: .file(pki.serverCert), privateKey: .file(pki.serverKey),
                                         clientCertificates: clients, reloadInterval: reload ? .milliseconds(50) : nil),
                        limits: limits, threads: 2)
}
