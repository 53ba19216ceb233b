import Foundation
import HTTPSServerKit
import NIOCore
import Testing
import TestSupport

@Suite("Client certificates: none, optional, required; CN and O reach the handler")
struct ClientCertificateTests {
    @Test("required: a verified client certificate's CN and O are exposed")
    func requiredWithCertificate() async throws {
        let pki = try TestPKI.make()
        let server = try await HTTPSServer.start(
            tlsConfig(pki, clients: .required(ca: .file(pki.caFile))), handler: EchoHandler())
        let client = try await HTTPSClient.connect(
            host: "127.0.0.1", port: server.port, tls: try pki.clientTLS(cn: "alice", orgs: ["system:masters", "devs"]))
        let body = try await client.send(.GET, "/whoami").bodyString
        #expect(body.contains("cn=alice"))
        #expect(body.contains("o=system:masters,devs"))
        await client.close()
        await server.shutdown(grace: .seconds(2))
    }

    @Test("required: no certificate, or one from another CA, never reaches the handler")
    func requiredRejects() async throws {
        let pki = try TestPKI.make()
        let other = try TestPKI.make("other")
        let server = try await HTTPSServer.start(
            tlsConfig(pki, clients: .required(ca: .file(pki.caFile))), handler: EchoHandler())
        for tls in [try pki.clientTLS(), try otherClient(other, trusting: pki)] {
            var failed = false
            do {
                let client = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: tls)
                // TLS 1.3 reports the client-certificate rejection after the handshake, on first use.
                _ = try await client.send(.GET, "/")
            } catch {
                failed = true
            }
            #expect(failed)
        }
        await server.shutdown(grace: .seconds(2))
    }

    @Test("optional: clients without a certificate get in with no identity; with one, it is verified and exposed")
    func optional() async throws {
        let pki = try TestPKI.make()
        let other = try TestPKI.make("other")
        let server = try await HTTPSServer.start(
            tlsConfig(pki, clients: .optional(ca: .file(pki.caFile))), handler: EchoHandler())
        let anonymous = try await HTTPSClient.connect(host: "127.0.0.1", port: server.port, tls: try pki.clientTLS())
        #expect(try await anonymous.send(.GET, "/").bodyString.contains("peer=none"))
        let bob = try await HTTPSClient.connect(
            host: "127.0.0.1", port: server.port, tls: try pki.clientTLS(cn: "bob", orgs: []))
        let body = try await bob.send(.GET, "/").bodyString
        #expect(body.contains("cn=bob"))
        #expect(body.contains("o=\n") || body.hasSuffix("o="))
        var failed = false
        do {
            let stranger = try await HTTPSClient.connect(
                host: "127.0.0.1", port: server.port, tls: try otherClient(other, trusting: pki))
            _ = try await stranger.send(.GET, "/")
        } catch {
            failed = true
        }
        #expect(failed, "a certificate from an unknown CA must be rejected even in optional mode")
        await anonymous.close()
        await bob.close()
        await server.shutdown(grace: .seconds(2))
    }

    /// A client certificate issued by `other` that still trusts `pki`'s server.
    private func otherClient(_ other: TestPKI, trusting pki: TestPKI) throws -> ClientTLS {
        let c = try other.clientFiles(cn: "mallory", orgs: ["system:masters"])
        return ClientTLS(trustRoots: .file(pki.caFile), certificate: .file(c.cert), privateKey: .file(c.key))
    }
}
