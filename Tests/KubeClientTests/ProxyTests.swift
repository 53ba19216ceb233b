import Foundation
import Testing
import TestSupport
@testable import KubeClient
@testable import KubeCurl

/// `proxy-url` through a real CONNECT proxy: TLS runs end to end through the tunnel.
@Suite struct ProxyTests {
    @Test func proxyURLTunnelsThroughConnect() async throws {
        let pki = try TestPKI.get()
        let dir = try TempDir()
        let proxy = try await ConnectProxy.start()
        try await withServer(tls: pki.serverTLS, handler: { _ in .json(#"{"major":"1","minor":"32"}"#) }) { server in
            let file = try dir.write(
                "config",
                """
                current-context: c
                clusters:
                - name: k
                  cluster: {server: "\(server.url)", certificate-authority-data: \(pki.ca.certificatePEM.base64), proxy-url: "\(proxy.url)"}
                contexts: [{name: c, context: {cluster: k}}]
                """)
            let config = try ClientConfig.load(KubeConfigOptions(kubeconfig: file), environment: ["HOME": dir.path])
            #expect(config.proxy == proxy.url)
            let body = try await KubeClient(config: config, transport: HTTPTransport()).get("/version")
            #expect(String(decoding: body, as: UTF8.self) == #"{"major":"1","minor":"32"}"#)
            #expect(proxy.targets == ["127.0.0.1:\(server.port)"])
            #expect(server.requests.map(\.path) == ["/version"])
        }
        await proxy.stop()
    }

    @Test func deadProxyIsReportedAsAProxyProblem() async throws {
        let pki = try TestPKI.get()
        let proxy = try await ConnectProxy.start()
        // The proxy accepts the CONNECT but cannot reach port 1: it answers 502.
        let config = ClientConfig(
            server: "https://127.0.0.1:1", tls: TLSOptions(certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8)),
            proxy: proxy.url, retry: RetryPolicy(maxAttempts: 1))
        let error = await #expect(throws: TransportError.self) {
            _ = try await KubeClient(config: config, transport: HTTPTransport()).get("/version")
        }
        #expect(error?.kind == .proxy)
        #expect(proxy.targets == ["127.0.0.1:1"])
        await proxy.stop()
    }
}
