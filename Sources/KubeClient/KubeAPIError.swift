import Foundation

/// An error answered by the Kubernetes API server, decoded from its `metav1.Status` body.
///
/// Why a typed error: callers branch on `code`/`reason` (409 Conflict means "re-read and retry",
/// 410 Gone means "relist"), and users expect the exact wording kubectl prints
/// (`Error from server (Forbidden): ...`), so `description` reproduces it.
public struct KubeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// One entry of `status.details.causes`: which field was wrong and why.
    public struct Cause: Sendable, Equatable, Codable {
        public var reason: String?
        public var message: String?
        public var field: String?
        public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// HTTP status code (`status.code`, else the response's status).
    public var code: Int
    /// Machine-readable reason (`NotFound`, `Conflict`, `Forbidden`, `Expired`, ...).
    public var reason: String
    /// Human-readable message from the server.
    public var message: String
    /// `details.name` / `details.kind`, when the server named the object.
    public var name: String?
    public var kind: String?
    /// `details.causes`: field-level explanations (admission denials, validation errors).
    public var causes: [Cause]
    /// `details.retryAfterSeconds`, when the server suggested a delay.
    public var retryAfterSeconds: Int?

    public init(code: Int, reason: String, message: String, name: String? = nil, kind: String? = nil,
                causes: [Cause] = [], retryAfterSeconds: Int? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.name = name
        self.kind = kind
        self.causes = causes
        self.retryAfterSeconds = retryAfterSeconds
    }

    /// True for 410 Gone / reason `Expired` or `Gone`: the requested resourceVersion is too old.
    /// A watch or paginated list must start over with a fresh list.
    public var isGone: Bool { code == 410 || reason == "Expired" || reason == "Gone" }
    /// True for 409 Conflict: someone else changed the object; re-read and retry.
    public var isConflict: Bool { code == 409 || reason == "Conflict" }
    /// True for 404 Not Found.
    public var isNotFound: Bool { code == 404 || reason == "NotFound" }
    /// True for 409 AlreadyExists on create.
    public var isAlreadyExists: Bool { reason == "AlreadyExists" }
    /// True for 403 Forbidden (RBAC or an admission webhook denial).
    public var isForbidden: Bool { code == 403 || reason == "Forbidden" }
    /// True for 401 Unauthorized: credentials missing, expired or rejected.
    public var isUnauthorized: Bool { code == 401 || reason == "Unauthorized" }

    /// The text kubectl prints for this error.
    public var description: String {
        if isUnauthorized {
            return "error: You must be logged in to the server (\(reason.isEmpty ? "Unauthorized" : reason)): \(message)"
        }
        return "Error from server (\(reason.isEmpty ? "Unknown" : reason)): \(message)"
    }

    /// Decodes a `metav1.Status` body; when the body is not one (a proxy's HTML page, plain
    /// text), builds the error from the HTTP status the way client-go does.
    public static func decode(status httpStatus: Int, body: Data) -> KubeAPIError {
        if let status = try? JSONDecoder().decode(StatusBody.self, from: body), status.kind == "Status" {
            let code = status.code ?? httpStatus
            return KubeAPIError(
                code: code,
                reason: status.reason ?? defaultReason(for: code),
                message: status.message ?? defaultMessage(for: code),
                name: status.details?.name,
                kind: status.details?.kind,
                causes: status.details?.causes ?? [],
                retryAfterSeconds: status.details?.retryAfterSeconds)
        }
        var message = defaultMessage(for: httpStatus)
        let text = String(decoding: body.prefix(1024), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { message += " (\(text))" }
        return KubeAPIError(code: httpStatus, reason: defaultReason(for: httpStatus), message: message)
    }

    /// client-go's `StatusReason` for a bare HTTP status.
    static func defaultReason(for code: Int) -> String {
        switch code {
        case 400: return "BadRequest"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "NotFound"
        case 405: return "MethodNotAllowed"
        case 406: return "NotAcceptable"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 413: return "RequestEntityTooLarge"
        case 415: return "UnsupportedMediaType"
        case 422: return "Invalid"
        case 429: return "TooManyRequests"
        case 500: return "InternalError"
        case 503: return "ServiceUnavailable"
        case 504: return "Timeout"
        default: return "Unknown"
        }
    }

    static func defaultMessage(for code: Int) -> String {
        switch code {
        case 401: return "the server has asked for the client to provide credentials"
        case 403: return "the server does not allow access to the requested resource"
        case 404: return "the server could not find the requested resource"
        case 409: return "the server reported a conflict"
        case 410: return "the server reported the requested resource version is gone"
        case 429: return "the server has received too many requests and has asked us to try again later"
        case 500: return "an error on the server has prevented the request from succeeding"
        case 503: return "the server is currently unable to handle the request"
        case 504: return "the server was unable to return a response in the time allotted"
        default: return "the server responded with the status code \(code) but did not return more information"
        }
    }

    private struct StatusBody: Decodable {
        struct Details: Decodable {
            var name: String?
            var kind: String?
            var causes: [Cause]?
            var retryAfterSeconds: Int?
        }
        var kind: String?
        var code: Int?
        var reason: String?
        var message: String?
        var details: Details?
    }
}
