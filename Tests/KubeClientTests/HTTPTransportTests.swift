import Foundation
import Testing
@testable import KubeClient
@testable import KubeCurl

/// The one-shot transport the sandbox uses to call admission webhooks.
@Suite struct HTTPTransportTests {
    @Test func postsWithClientCertificateAndReturnsAnyStatus() async throws {
        let pki = try TestPKI.get()
        try await withServer(
            tls: pki.mutualTLS,
            handler: { request in
                .json(
                    #"{"echo":\#(String(decoding: request.body, as: UTF8.self))}"#, status: 418,
                    headers: [("X-Seen", request.header("X-Review") ?? "")])
            }
        ) { server in
            let response = try await HTTPTransport().perform(
                HTTPRequest(
                    method: "POST", url: server.url + "/validate?timeout=10s",
                    headers: [("Content-Type", "application/json"), ("X-Review", "r-1")],
                    body: Data(#"{"kind":"AdmissionReview"}"#.utf8),
                    tls: TLSOptions(
                        certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8),
                        clientCertificatePEM: Data(pki.client.certificatePEM.utf8),
                        clientKeyPEM: Data(pki.client.privateKeyPEM.utf8)),
                    timeout: 10))
            #expect(response.status == 418)
            #expect(response.header("x-seen") == "r-1")
            #expect(String(decoding: response.body, as: UTF8.self) == #"{"echo":{"kind":"AdmissionReview"}}"#)
            let request = try #require(server.requests.first)
            #expect(request.method == "POST")
            #expect(request.uri == "/validate?timeout=10s")
            #expect(request.header("Expect") == nil)
        }
    }

    @Test func cancellingTheCallerAbortsARequest() async throws {
        let pki = try TestPKI.get()
        try await withServer(
            tls: pki.serverTLS,
            handler: { _ in
                var response = TestResponse.json("{}")
                response.delay = 30
                return response
            }
        ) { server in
            let call = Task {
                try await HTTPTransport().perform(
                    HTTPRequest(
                        method: "GET", url: server.url + "/slow",
                        tls: TLSOptions(certificateAuthorityPEM: Data(pki.ca.certificatePEM.utf8)),
                        timeout: nil))
            }
            for _ in 0..<100 where server.requests.isEmpty { try await Task.sleep(nanoseconds: 50_000_000) }
            call.cancel()
            let error = await #expect(throws: TransportError.self) { _ = try await call.value }
            #expect(error?.kind == .cancelled)
        }
    }
}
