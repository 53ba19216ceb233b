import Foundation

/// One HTTPS POST of an AdmissionReview to a webhook.
public struct WebhookCall: Sendable {
    /// Full URL including the apiserver's `?timeout=Ns` query.
    public var url: String
    /// PEM CA bundle from `clientConfig.caBundle`; nil means the system trust store.
    public var caBundlePEM: Data?
    public var body: Data
    public var timeoutSeconds: Int
    /// Name the certificate must carry instead of the URL's host: `NAME.NAMESPACE.svc` for a
    /// `clientConfig.service` webhook routed to a local port, as the apiserver verifies it.
    public var serverName: String?

    public init(url: String, caBundlePEM: Data?, body: Data, timeoutSeconds: Int, serverName: String? = nil) {
        self.url = url
        self.caBundlePEM = caBundlePEM
        self.body = body
        self.timeoutSeconds = timeoutSeconds
        self.serverName = serverName
    }
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
