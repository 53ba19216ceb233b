import Foundation
import HTTPSServerKit
import KubeCertificates
import KubeClient
import NIOCore
import NIOHTTP1
import NIOPosix
import Testing
import TestSupport
@testable import KubeSandbox

/// The shared test PKI (TestSupport), visible to every file of this target.
typealias TestPKI = TestSupport.TestPKI

extension TestPKI {
    var caData: Data { Data(ca.certificatePEM.utf8) }
}

/// A started sandbox (in-memory API server over HTTPS) with its admin credentials.
struct SandboxFixture: Sendable {
    let sandbox: RunningSandbox

    static func start(watchHistory: Int = 1000) async throws -> SandboxFixture {
        var options = SandboxOptions()
        options.controllers = false
        options.watchHistory = watchHistory
        return SandboxFixture(sandbox: try await Sandbox.start(options))
    }

    var caData: Data { Data(sandbox.caPEM.utf8) }

    /// A configuration using the admin bearer token (no retries, so failures surface at once).
    func tokenConfig(tls: TLSOptions? = nil) -> ClientConfig {
        ClientConfig(
            server: sandbox.url, tls: tls ?? TLSOptions(certificateAuthorityPEM: caData),
            auth: .bearerToken(sandbox.adminToken), requestTimeout: 30, connectTimeout: 10,
            retry: RetryPolicy(maxAttempts: 1))
    }

    /// A configuration authenticating with the admin client certificate only.
    func certificateConfig() -> ClientConfig {
        ClientConfig(
            server: sandbox.url,
            tls: TLSOptions(
                certificateAuthorityPEM: caData, clientCertificatePEM: Data(sandbox.adminCertificatePEM.utf8),
                clientKeyPEM: Data(sandbox.adminKeyPEM.utf8)),
            requestTimeout: 30, connectTimeout: 10, retry: RetryPolicy(maxAttempts: 1))
    }

    /// Raw request with the admin token, for transport-level tests.
    func request(
        _ method: String, _ path: String, body: Data? = nil, contentType: String? = nil,
        timeout: TimeInterval? = 30
    ) -> HTTPRequest {
        var headers: [(name: String, value: String)] = [
            ("Accept", "application/json"), ("Authorization", "Bearer \(sandbox.adminToken)"),
        ]
        if let contentType { headers.append(("Content-Type", contentType)) }
        return HTTPRequest(
            method: method, url: sandbox.url + path, headers: headers, body: body,
            tls: TLSOptions(certificateAuthorityPEM: caData), timeout: timeout, connectTimeout: 10)
    }

    /// Connections the sandbox's server holds open now.
    var openServerConnections: Int { sandbox.server.openConnections }

    func stop() async { await sandbox.stop() }
}

let configMaps = "/api/v1/namespaces/default/configmaps"

func configMap(_ name: String, data: [String: String] = ["k": "v"]) throws -> Data {
    try JSONSerialization.data(withJSONObject: [
        "apiVersion": "v1", "kind": "ConfigMap",
        "metadata": ["name": name, "namespace": "default"], "data": data,
    ])
}

func json(_ data: Data) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
}

func name(_ data: Data) throws -> String? {
    (try json(data)["metadata"] as? [String: Any])?["name"] as? String
}

/// Starts an HTTPS server on 127.0.0.1:0 answering from `body`.
func startHTTPS(
    _ certificate: CertificateAndKey, clientCertificates: ClientCertificateMode = .none,
    _ body: @escaping @Sendable (ServerRequest) async -> ServerResponse
) async throws -> HTTPSServer {
    let tls = TLSSettings(
        certificateChain: .pem(certificate.certificatePEM), privateKey: .pem(certificate.privateKeyPEM),
        clientCertificates: clientCertificates, reloadInterval: nil)
    return try await HTTPSServer.start(
        ServerConfiguration(tls: tls, limits: .forTests, threads: 1), handler: ClosureHandler(body))
}

/// A raw TCP server on 127.0.0.1:0 whose connections get `initialize` (nothing: accepts and
/// never answers).
final class RawServer: Sendable {
    let channel: any Channel
    var port: Int { channel.localAddress?.port ?? 0 }

    private init(channel: any Channel) { self.channel = channel }

    static func start(
        _ initialize: @escaping @Sendable (any Channel) throws -> Void = { _ in }
    ) async throws -> RawServer {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in channel.eventLoop.makeCompletedFuture { try initialize(channel) } }
            .bind(host: "127.0.0.1", port: 0).get()
        return RawServer(channel: channel)
    }

    func stop() async { try? await channel.close() }
}

/// A misbehaving HTTP/1.1 server connection, for the failure paths a real API server rarely shows.
final class ScriptedHTTP: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    enum Script: Sendable {
        /// Answers the first request (keep-alive framing), closes when the second arrives: what
        /// a client sees when the server dropped its idle connection just as it was reused.
        case answerOnceThenDropTheNext
        /// Promises 10 bytes, sends 2, closes.
        case truncateBody
        /// Sends the head and one chunk, then nothing more (never ends the response).
        case stallAfterFirstChunk
    }

    private let script: Script
    private var requests = 0

    init(_ script: Script) { self.script = script }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard case .end = unwrapInboundIn(data) else { return }
        requests += 1
        switch script {
        case .answerOnceThenDropTheNext:
            if requests > 1 {
                context.close(promise: nil)
                return
            }
            respond(context, headers: ["Content-Length": "2"], body: "ok", end: true)
        case .truncateBody:
            respond(context, headers: ["Content-Length": "10"], body: "ok", end: false)
            context.close(promise: nil)
        case .stallAfterFirstChunk:
            respond(context, headers: ["Transfer-Encoding": "chunked"], body: "{\"partial\":", end: false)
        }
    }

    private func respond(_ context: ChannelHandlerContext, headers: HTTPHeaders, body: String, end: Bool) {
        context.write(
            wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil)
        if end { context.write(wrapOutboundOut(.end(nil)), promise: nil) }
        context.flush()
    }
}

/// A plain-HTTP server on 127.0.0.1:0 whose every connection follows `script`.
func startScripted(_ script: ScriptedHTTP.Script) async throws -> RawServer {
    try await RawServer.start { channel in
        try channel.pipeline.syncOperations.configureHTTPServerPipeline()
        try channel.pipeline.syncOperations.addHandler(ScriptedHTTP(script))
    }
}

/// Expects `body` to throw a `TransportError` of `kind`; returns it for further checks.
@discardableResult
func expectTransportError(
    _ kind: TransportError.Kind, sourceLocation: SourceLocation = #_sourceLocation,
    _ body: () async throws -> Void
) async -> TransportError? {
    do {
        try await body()
        Issue.record("expected TransportError .\(kind.rawValue), got success", sourceLocation: sourceLocation)
    } catch let error as TransportError {
        #expect(error.kind == kind, "\(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record(
            "expected TransportError .\(kind.rawValue), got \(type(of: error)): \(error)",
            sourceLocation: sourceLocation)
    }
    return nil
}
