import Foundation
import KubeClient
import KubeCurl

/// Calls webhooks over HTTPS with libcurl (KubeClient's `HTTPTransport`), trusting only the
/// webhook's `caBundle` and verifying its name or IP SAN (or, for a routed Service, the
/// `name.namespace.svc` name the apiserver would check), as the apiserver does. Failures
/// are phrased like the apiserver's Go errors (`Post "URL": context deadline exceeded`).
public struct CurlWebhookTransport: WebhookTransport {
    let transport: HTTPTransport

    public init(transport: HTTPTransport = .shared) { self.transport = transport }

    public func post(_ call: WebhookCall) async throws -> Data {
        guard call.url.hasPrefix("https://") else {
            throw WebhookCallError("Post \"\(call.url)\": unsupported protocol scheme (webhooks need https://)")
        }
        let request = HTTPRequest(
            method: "POST", url: call.url,
            headers: [("Content-Type", "application/json"), ("Accept", "application/json")],
            body: call.body, tls: TLSOptions(certificateAuthorityPEM: call.caBundlePEM, serverName: call.serverName),
            timeout: TimeInterval(call.timeoutSeconds), connectTimeout: TimeInterval(call.timeoutSeconds))
        let response: HTTPResponse
        do {
            response = try await transport.perform(request)
        } catch let error as TransportError {
            throw Self.describe(error, url: call.url)
        }
        guard (200..<300).contains(response.status) else {
            let text = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw WebhookCallError("Post \"\(call.url)\": the server responded with HTTP \(response.status): \(text)")
        }
        return response.body
    }

    static func describe(_ error: TransportError, url: String) -> WebhookCallError {
        let hostPort = URLComponents(string: url).map { "\($0.host ?? ""):\($0.port ?? 443)" } ?? url
        switch error.kind {
        case .timeout:
            return WebhookCallError("Post \"\(url)\": context deadline exceeded", isTimeout: true)
        case .connectionRefused:
            return WebhookCallError("Post \"\(url)\": dial tcp \(hostPort): connect: connection refused")
        case .serverCertificateUntrusted:
            return WebhookCallError(
                "Post \"\(url)\": tls: failed to verify certificate: x509: certificate signed by unknown authority or not valid for \(hostPort) (\(error.detail))"
            )
        default:
            return WebhookCallError("Post \"\(url)\": \(error.detail)")
        }
    }
}
