import Foundation
import SingletonCore
import Testing
@testable import KubeSandbox

@Suite("HTTPS webhook transport")
struct TransportTests {
    @Test func slowWebhookTimesOut() async throws {
        let hook = try await TestWebhook.start(.slow(seconds: 4))
        defer { Task { await hook.stop() } }
        let review: JSONValue = ["apiVersion": "admission.k8s.io/v1", "kind": "AdmissionReview", "request": ["uid": "1"]]
        let call = WebhookCall(url: hook.url + "?timeout=1s", caBundlePEM: Data(hook.caPEM.utf8), body: review.serialized(), timeoutSeconds: 1)
        await #expect(throws: WebhookCallError.self) { _ = try await HTTPSWebhookTransport().post(call) }
        do { _ = try await HTTPSWebhookTransport().post(call) } catch { #expect("\(error)".contains("context deadline exceeded"), "\(error)") }
    }
}
