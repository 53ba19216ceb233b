import Foundation
import HTTPSServerKit
import NIOCore
import Testing
import TestSupport

@Suite("Certificate hot reload")
struct CertificateReloadTests {
    /// Rotates the server certificate to one from a second CA while requests run on fresh
    /// connections; clients trust both CAs, so any failure is a failure of the swap.
    @Test("rotation under continuous new connections: zero failures, new connections get the new certificate")
    func rotationUnderLoad() async throws {
        let old = try TestPKI.make("old")
        let new = try TestPKI.make("new", in: old.dir)
        let live = (cert: old.path("live.crt"), key: old.path("live.key"))
        try copy(old.certFile, to: live.cert)
        try copy(old.keyFile, to: live.key)
        let bundle = old.path("bundle.pem")
        try (String(contentsOfFile: old.caFile, encoding: .utf8) + String(contentsOfFile: new.caFile, encoding: .utf8))
            .write(toFile: bundle, atomically: true, encoding: .utf8)

        let reloads = Counter()
        var config = ServerConfiguration(
            tls: TLSSettings(
                certificateChain: .file(live.cert), privateKey: .file(live.key),
                reloadInterval: .milliseconds(20)), limits: .forTests, threads: 2)
        config.onCertificateReload = { error in if error == nil { reloads.increment() } }
        let server = try await HTTPSServer.start(config, handler: EchoHandler())
        let port = server.port
        let newOnly = ClientTLS(trustRoots: .file(new.caFile))
        await #expect(throws: (any Error).self) {
            _ = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: newOnly)
        }

        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<2 {
                group.addTask {
                    var failures = 0
                    for _ in 0..<60 {
                        do {
                            let c = try await HTTPSClient.connect(
                                host: "127.0.0.1", port: port, tls: ClientTLS(trustRoots: .file(bundle)))
                            if try await c.send(.GET, "/").status != .ok { failures += 1 }
                            await c.close()
                        } catch {
                            failures += 1
                        }
                    }
                    return failures
                }
            }
            group.addTask {
                // Write the key first, then the certificate, as a non-atomic rotation would:
                // the mismatched intermediate state must not be served.
                try copy(new.keyFile, to: live.key)
                try await Task.sleep(for: .milliseconds(60))
                try copy(new.certFile, to: live.cert)
                return 0
            }
            return try await group.reduce(0, +)
        }
        #expect(failures == 0)

        // Wait for the poller to pick the pair up (bounded), then new-CA-only clients succeed.
        var connected = false
        for _ in 0..<200 where !connected {
            if let c = try? await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: newOnly) {
                connected = try await c.send(.GET, "/").status == .ok
                await c.close()
            } else {
                try await Task.sleep(for: .milliseconds(20))
            }
        }
        #expect(connected)
        #expect(reloads.value >= 1)
        await server.shutdown(grace: .seconds(2))
    }

    @Test("a broken rotation keeps the previous certificate in service and reports the error")
    func brokenRotation() async throws {
        let pki = try TestPKI.make()
        let live = (cert: pki.path("live.crt"), key: pki.path("live.key"))
        try copy(pki.certFile, to: live.cert)
        try copy(pki.keyFile, to: live.key)
        let server = try await HTTPSServer.start(
            ServerConfiguration(
                tls: TLSSettings(certificateChain: .file(live.cert), privateKey: .file(live.key), reloadInterval: nil),
                limits: .forTests, threads: 1),
            handler: EchoHandler())
        #expect(try server.reloadCertificatesNow() == false)
        try "garbage".write(toFile: live.cert, atomically: true, encoding: .utf8)
        #expect(throws: HTTPSServerError.self) { try server.reloadCertificatesNow() }
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        #expect(try await client.send(.GET, "/").status == .ok)
        await client.close()
        await server.shutdown(grace: .seconds(2))
    }
}

func copy(_ from: String, to: String) throws {
    try String(contentsOfFile: from, encoding: .utf8).write(toFile: to, atomically: false, encoding: .utf8)
}
