import Foundation

/// A failure as the Kubernetes API reports it: a `metav1.Status`. The client decodes it from
/// a server's answer, the sandbox answers with it, the plugin prints it.
///
/// Why a typed error: callers branch on `code`/`reason` (409 Conflict means "re-read and retry",
/// 410 Gone means "relist"), and users expect the exact wording kubectl prints
/// (`Error from server (Forbidden): ...`), so `description` reproduces it.
public struct KubeAPIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP status code (`status.code`, else the response's status). 0 when no usable answer
    /// came (the request never reached a server, or its answer could not be read); then
    /// `reason` is empty or names what was wrong with the answer.
    public var code: Int
    /// Machine-readable reason (`NotFound`, `Conflict`, `Forbidden`, `Expired`, ...).
    public var reason: String
    /// Human-readable message from the server.
    public var message: String
    /// `status.details`: which object, field-level causes, a suggested delay.
    public var details: Status.Details?

    public init(code: Int, reason: String, message: String, details: Status.Details? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    /// The failure a server answered, from its Status; `httpStatus` fills what the body left out.
    public init(_ status: Status, httpStatus: Int) {
        let code = status.code ?? httpStatus
        self.init(
            code: code, reason: status.reason ?? Self.defaultReason(for: code),
            message: status.message ?? Self.defaultMessage(for: code), details: status.details)
    }

    /// A request that got no usable answer: `description` is `message` alone.
    public static func noResponse(_ message: String) -> KubeAPIError {
        KubeAPIError(code: 0, reason: "", message: message)
    }

    /// `details.name` / `details.kind`, when the server named the object.
    public var name: String? { details?.name }
    public var kind: String? { details?.kind }
    /// `details.causes`: field-level explanations (admission denials, validation errors).
    public var causes: [Status.Cause] { details?.causes ?? [] }
    /// `details.retryAfterSeconds`, when the server suggested a delay.
    public var retryAfterSeconds: Int? { details?.retryAfterSeconds }

    /// The `metav1.Status` body a server sends for this failure.
    public var status: Status {
        Status(status: "Failure", message: message, reason: reason.isEmpty ? nil : reason, details: details, code: code)
    }

    /// True for 410 Gone / reason `Expired` or `Gone`: the requested resourceVersion is too old.
    /// A watch or paginated list must start over with a fresh list.
    public var isGone: Bool { code == 410 || reason == "Expired" || reason == "Gone" }
    /// True for 409 Conflict: someone else changed the object; re-read and retry. A 409
    /// `AlreadyExists` is not one (the object is there; re-reading will not change that).
    public var isConflict: Bool { reason == "Conflict" || (code == 409 && !isAlreadyExists) }
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
        if code == 0 && reason.isEmpty { return message }
        if isUnauthorized {
            return
                "error: You must be logged in to the server (\(reason.isEmpty ? "Unauthorized" : reason)): \(message)"
        }
        return "Error from server (\(reason.isEmpty ? "Unknown" : reason)): \(message)"
    }

    /// Decodes a `metav1.Status` body; when the body is not one (a proxy's HTML page, plain
    /// text), builds the error from the HTTP status the way client-go does.
    public static func decode(status httpStatus: Int, body: Data) -> KubeAPIError {
        if let status = Status.decode(body) { return KubeAPIError(status, httpStatus: httpStatus) }
        var message = defaultMessage(for: httpStatus)
        let text = String(decoding: body.prefix(1024), as: UTF8.self)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        if !text.isEmpty { message += " (\(text))" }
        return KubeAPIError(code: httpStatus, reason: defaultReason(for: httpStatus), message: message)
    }

    /// client-go's `StatusReason` for a bare HTTP status.
    public static func defaultReason(for code: Int) -> String {
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

    public static func defaultMessage(for code: Int) -> String {
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
}
