import HTTPSServerKit
import TestSupport

/// A handler that echoes what it saw, so tests can check parsing and identity.
struct EchoHandler: HTTPSHandler {
    func handle(_ request: ServerRequest) async -> ServerResponse {
        var lines = [
            "method=\(request.method.rawValue)", "path=\(request.path)", "bytes=\(request.body.readableBytes)",
        ]
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

func tlsConfig(
    _ pki: TestPKI, clients: ClientCertificateMode = .none, limits: ServerLimits = .forTests,
    reload: Bool = false
) -> ServerConfiguration {
    ServerConfiguration(
        host: "127.0.0.1", port: 0,
        tls: TLSSettings(
            certificateChain: .file(pki.certFile), privateKey: .file(pki.keyFile),
            clientCertificates: clients, reloadInterval: reload ? .milliseconds(50) : nil),
        limits: limits, threads: 2)
}
