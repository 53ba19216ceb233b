import Foundation
import KubeCertificates
import Testing
@testable import KubeClient
@testable import KubeCurl

/// Real TLS on 127.0.0.1: server verification, mutual TLS and the messages for each failure.
@Suite struct TLSTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.get() }

    static let okBody = #"{"kind":"Namespace","metadata":{"name":"default"}}"#

    func client(_ server: TestServer, tls: TLSOptions) -> KubeClient {
        KubeClient(
            config: ClientConfig(server: server.url, tls: tls, retry: RetryPolicy(maxAttempts: 1)),
            transport: HTTPTransport())
    }

    func transportError(_ body: () async throws -> Void) async -> TransportError? {
        do {
            try await body()
            return nil
        } catch let error as TransportError {
            return error
        } catch {
            Issue.record("expected a TransportError, got \(error)")
            return nil
        }
    }

    @Test(arguments: [false, true])
    func mutualTLSWorksWithECAndRSAKeys(rsa: Bool) async throws {
        let identity = rsa ? pki.rsaClient : pki.client
        try await withServer(tls: pki.mutualTLS, handler: { _ in .json(Self.okBody) }) { server in
            let tls = TLSOptions(
                certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8),
                clientCertificatePEM: Data(identity.certificatePEM.utf8),
                clientKeyPEM: Data(identity.privateKeyPEM.utf8))
            let body = try await client(server, tls: tls).get("/api/v1/namespaces/default")
            #expect(String(decoding: body, as: UTF8.self) == Self.okBody)
            #expect(server.requests.map(\.path) == ["/api/v1/namespaces/default"])
        }
    }

    @Test func wrongCAIsReportedAsUntrustedServer() async throws {
        try await withServer(tls: pki.serverTLS, handler: { _ in .json(Self.okBody) }) { server in
            let error = await transportError {
                _ = try await client(
                    server, tls: TLSOptions(certificateAuthorityPEM: Data(pki.otherCA.certificatePEM.utf8))
                ).get("/version")
            }
            #expect(error?.kind == .serverCertificateUntrusted)
            #expect(error?.server == server.url)
            #expect(
                error?.description.hasPrefix(
                    "Unable to connect to the server \(server.url): the server's TLS certificate is not trusted")
                    == true)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func missingClientCertificateIsReportedAsRejected() async throws {
        try await withServer(tls: pki.mutualTLS, handler: { _ in .json(Self.okBody) }) { server in
            let error = await transportError {
                _ = try await client(server, tls: TLSOptions(certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8)))
                    .get("/version")
            }
            #expect(error?.kind == .clientCertificateRejected)
            #expect(error?.description.contains("the server requires a client certificate") == true)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func clientCertificateFromAnotherCAIsRejected() async throws {
        try await withServer(tls: pki.mutualTLS, handler: { _ in .json(Self.okBody) }) { server in
            let tls = TLSOptions(
                certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8),
                clientCertificatePEM: Data(pki.strangerClient.certificatePEM.utf8),
                clientKeyPEM: Data(pki.strangerClient.privateKeyPEM.utf8))
            let error = await transportError { _ = try await client(server, tls: tls).get("/version") }
            #expect(error?.kind == .clientCertificateRejected)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func mismatchedKeyIsReportedBeforeTheHandshake() async throws {
        try await withServer(tls: pki.mutualTLS, handler: { _ in .json(Self.okBody) }) { server in
            let tls = TLSOptions(
                certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8),
                clientCertificatePEM: Data(pki.client.certificatePEM.utf8),
                clientKeyPEM: Data(pki.rsaClient.privateKeyPEM.utf8))
            let error = await transportError { _ = try await client(server, tls: tls).get("/version") }
            #expect(error?.kind == .clientCertificateInvalid)
            #expect(error?.description.contains("is client-key the key of client-certificate?") == true)
            #expect(server.requests.isEmpty)
        }
    }

    @Test func insecureSkipVerifyConnectsWithoutCA() async throws {
        try await withServer(tls: pki.serverTLS, handler: { _ in .json(Self.okBody) }) { server in
            let body = try await client(server, tls: TLSOptions(insecureSkipVerify: true)).get("/version")
            #expect(String(decoding: body, as: UTF8.self) == Self.okBody)
        }
    }

    @Test func tlsServerNameVerifiesAgainstAnotherName() async throws {
        let named = ServerTLS(certificatePEM: pki.namedServer.certificatePEM, keyPEM: pki.namedServer.privateKeyPEM)
        try await withServer(tls: named, handler: { _ in .json(Self.okBody) }) { server in
            let ca = Data(pki.ca.certificatePEM.utf8)
            // Without tls-server-name the certificate does not name 127.0.0.1.
            let error = await transportError {
                _ = try await client(server, tls: TLSOptions(certificateAuthorityPEM: ca)).get("/version")
            }
            #expect(error?.kind == .serverCertificateUntrusted)
            let body = try await client(
                server, tls: TLSOptions(certificateAuthorityPEM: ca, serverName: "api.internal.test")
            ).get("/version")
            #expect(String(decoding: body, as: UTF8.self) == Self.okBody)
            #expect(server.requests.last?.header("Host") == "127.0.0.1:\(server.port)")
        }
    }

    @Test func connectionsAreReused() async throws {
        try await withServer(tls: pki.serverTLS, handler: { _ in .json(Self.okBody) }) { server in
            let kube = client(server, tls: TLSOptions(certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8)))
            for _ in 0..<5 { _ = try await kube.get("/version") }
            #expect(server.requests.count == 5)
            #expect(server.connectionCount == 1)
        }
    }

    @Test func refusedConnectionNamesTheServer() async throws {
        // Bind a port, then close it so nothing listens there.
        let server = try await TestServer.start(handler: { _ in .json("{}") })
        let url = server.url
        await server.stop()
        let kube = KubeClient(
            config: ClientConfig(server: url, retry: RetryPolicy(maxAttempts: 1)), transport: HTTPTransport())
        let error = await transportError { _ = try await kube.get("/version") }
        #expect(error?.kind == .connectionRefused)
        #expect(
            error?.description.hasPrefix("Unable to connect to the server \(url): the connection was refused") == true)
    }
}
