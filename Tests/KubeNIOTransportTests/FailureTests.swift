import Foundation
import HTTPSServerKit
import KubeClient
import NIOCore
import NIOHTTP1
import Testing
import TestSupport
@testable import KubeNIOTransport

private let opensslPath = opensslCommandPath

/// Failures without an HTTP answer, each as the `TransportError` kind `KubeClient` users see.
@Suite("NIOTransport failures and TLS settings")
struct FailureTests {
    let pki: TestPKI
    init() throws { pki = try TestPKI.get() }

    func get(
        _ url: String, tls: TLSOptions = TLSOptions(), timeout: TimeInterval? = 30, connectTimeout: TimeInterval = 10,
        proxy: String? = nil, transport: NIOTransport = NIOTransport()
    ) async throws -> HTTPResponse {
        try await transport.perform(
            HTTPRequest(
                method: "GET", url: url, tls: tls, timeout: timeout,
                connectTimeout: connectTimeout, proxy: proxy))
    }

    func peerEcho() async throws -> HTTPSServer {
        try await startHTTPS(pki.server, clientCertificates: .required(ca: .pem(pki.ca.certificatePEM))) { request in
            .text(.ok, request.peer?.commonName ?? "nobody")
        }
    }

    @Test func serverSignedByAnotherCAIsUntrusted() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let error = await expectTransportError(.serverCertificateUntrusted) {
            _ = try await get(fixture.sandbox.url + "/version", tls: TLSOptions(certificateAuthorityPEM: pki.caData))
        }
        #expect(error?.detail.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(String(describing: error))")
        #expect(error?.server == fixture.sandbox.url)
    }

    @Test func insecureSkipVerifyConnectsAnyway() async throws {
        let fixture = try await SandboxFixture.start()
        defer { Task { await fixture.stop() } }
        let config = fixture.tokenConfig(tls: TLSOptions(certificateAuthorityPEM: pki.caData, insecureSkipVerify: true))
        let body = try await KubeClient(config: config, transport: NIOTransport()).get("/version")
        #expect(try json(body)["gitVersion"] != nil)
    }

    @Test func serverNameIsWhatTheCertificateMustName() async throws {
        let server = try await startHTTPS(pki.namedServer) { _ in .text(.ok, "named") }
        defer { Task { await server.shutdown(grace: .zero) } }
        let url = "https://127.0.0.1:\(server.port)/"
        await expectTransportError(.serverCertificateUntrusted) {
            _ = try await get(url, tls: TLSOptions(certificateAuthorityPEM: pki.caData))
        }
        let response = try await get(
            url, tls: TLSOptions(certificateAuthorityPEM: pki.caData, serverName: "api.internal.test"))
        #expect(String(decoding: response.body, as: UTF8.self) == "named")
    }

    @Test func closedPortIsRefused() async throws {
        let listener = try await RawServer.start()
        let port = listener.port
        await listener.stop()
        await expectTransportError(.connectionRefused) { _ = try await get("https://127.0.0.1:\(port)/api") }
        await expectTransportError(.connectionRefused) { _ = try await get("http://[::1]:\(port)/api") }
    }

    @Test func unresolvableHostIsNotFound() async throws {
        // `.invalid` never resolves (RFC 2606).
        await expectTransportError(.hostNotFound) { _ = try await get("https://no-such-host.invalid:6443/api") }
    }

    @Test func silentServerTimesOut() async throws {
        let silent = try await RawServer.start()
        defer { Task { await silent.stop() } }
        // Plain HTTP: connected, request sent, no answer before `timeout`.
        await expectTransportError(.timeout) { _ = try await get("http://127.0.0.1:\(silent.port)/api", timeout: 0.5) }
        // HTTPS: the handshake never completes within `connectTimeout`, no overall timeout.
        await expectTransportError(.timeout) {
            _ = try await get(
                "https://127.0.0.1:\(silent.port)/api", tls: TLSOptions(certificateAuthorityPEM: pki.caData),
                timeout: nil, connectTimeout: 0.5)
        }
    }

    @Test func keyThatIsNotTheCertificatesIsInvalid() async throws {
        let server = try await peerEcho()
        defer { Task { await server.shutdown(grace: .zero) } }
        let tls = TLSOptions(
            certificateAuthorityPEM: pki.caData, clientCertificatePEM: Data(pki.client.certificatePEM.utf8),
            clientKeyPEM: Data(pki.rsaClient.privateKeyPEM.utf8))
        await expectTransportError(.clientCertificateInvalid) {
            _ = try await get("https://127.0.0.1:\(server.port)/", tls: tls)
        }
        let garbage = TLSOptions(
            certificateAuthorityPEM: pki.caData, clientCertificatePEM: Data(pki.client.certificatePEM.utf8),
            clientKeyPEM: Data("-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n".utf8))
        await expectTransportError(.clientCertificateInvalid) {
            _ = try await get("https://127.0.0.1:\(server.port)/", tls: garbage)
        }
    }

    @Test func serverDemandingACertificateRejectsMissingOrForeignOnes() async throws {
        let server = try await peerEcho()
        defer { Task { await server.shutdown(grace: .zero) } }
        let url = "https://127.0.0.1:\(server.port)/"
        await expectTransportError(.clientCertificateRejected) {
            _ = try await get(url, tls: TLSOptions(certificateAuthorityPEM: pki.caData))
        }
        let stranger = TLSOptions(
            certificateAuthorityPEM: pki.caData, clientCertificatePEM: Data(pki.strangerClient.certificatePEM.utf8),
            clientKeyPEM: Data(pki.strangerClient.privateKeyPEM.utf8))
        await expectTransportError(.clientCertificateRejected) { _ = try await get(url, tls: stranger) }
    }

    @Test(
        .enabled(
            if: FileManager.default.isExecutableFile(atPath: opensslPath), "needs the openssl command to convert keys"),
        arguments: [("ec", "EC PRIVATE KEY"), ("rsa", "RSA PRIVATE KEY"), ("ec-pkcs8", "PRIVATE KEY")])
    func clientKeyFormats(kind: String, label: String) async throws {
        let identity = kind == "rsa" ? pki.rsaClient : pki.client
        let key = kind == "ec-pkcs8" ? identity.privateKeyPEM : try traditionalKeyPEM(identity.privateKeyPEM)
        #expect(key.hasPrefix("-----BEGIN \(label)-----"))
        let server = try await peerEcho()
        defer { Task { await server.shutdown(grace: .zero) } }
        let tls = TLSOptions(
            certificateAuthorityPEM: pki.caData, clientCertificatePEM: Data(identity.certificatePEM.utf8),
            clientKeyPEM: Data(key.utf8))
        let response = try await get("https://localhost:\(server.port)/", tls: tls)
        #expect(String(decoding: response.body, as: UTF8.self) == (kind == "rsa" ? "bob" : "alice"))
    }

    @Test func aPooledConnectionTheServerDropsIsReplacedOnce() async throws {
        let server = try await startScripted(.answerOnceThenDropTheNext)
        defer { Task { await server.stop() } }
        let transport = NIOTransport()
        for _ in 0..<4 {
            let response = try await get("http://127.0.0.1:\(server.port)/x", transport: transport)
            #expect(String(decoding: response.body, as: UTF8.self) == "ok")
        }
        // Every reuse met a dropped connection and was sent again on a fresh one.
        #expect(transport.pool.openedConnections == 4)
    }

    @Test func aBodyCutShortIsAResetAndNotRetried() async throws {
        let server = try await startScripted(.truncateBody)
        defer { Task { await server.stop() } }
        let transport = NIOTransport()
        await expectTransportError(.connectionReset) {
            _ = try await get("http://127.0.0.1:\(server.port)/x", transport: transport)
        }
        #expect(transport.pool.openedConnections == 1)
    }

    @Test func theRequestTimeoutBoundsReadingTheBody() async throws {
        let server = try await startScripted(.stallAfterFirstChunk)
        defer { Task { await server.stop() } }
        await expectTransportError(.timeout) { _ = try await get("http://127.0.0.1:\(server.port)/x", timeout: 0.5) }
    }

    @Test func cancelledBeforeSendingThrowsCancelled() async throws {
        let silent = try await RawServer.start()
        defer { Task { await silent.stop() } }
        let task = Task { try await get("http://127.0.0.1:\(silent.port)/", timeout: nil) }
        task.cancel()
        await expectTransportError(.cancelled) { _ = try await task.value }
    }

}
