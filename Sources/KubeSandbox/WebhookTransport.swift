import Foundation

/// One HTTPS POST of an AdmissionReview to a webhook.
public struct WebhookCall: Sendable {
    /// Full URL including the apiserver's `?timeout=Ns` query.
    public var url: String
    /// PEM CA bundle from `clientConfig.caBundle`; nil means the system trust store.
    public var caBundlePEM: Data?
    public var body: Data
    public var timeoutSeconds: Int
}

/// Why a webhook call failed, phrased like Go's `Post "URL": <cause>`.
public struct WebhookCallError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var isTimeout: Bool
    public init(_ message: String, isTimeout: Bool = false) {
        self.message = message
        self.isTimeout = isTimeout
    }
    public var description: String { message }
}

/// Sends AdmissionReviews. Behind a protocol so admission logic is testable without a
/// network; the sandbox uses `CurlWebhookTransport` (KubeClient over libcurl, CA-verified HTTPS).
public protocol WebhookTransport: Sendable {
    /// Returns the response body of a 2xx answer; throws `WebhookCallError` otherwise.
    func post(_ call: WebhookCall) async throws -> Data
}
