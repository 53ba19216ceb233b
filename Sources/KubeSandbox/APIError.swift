import Foundation
import SingletonCore

/// An API failure as the apiserver reports it: an HTTP code plus a `metav1.Status`.
///
/// kubectl prints `Error from server (<Reason>): <message>` from the Status body, so the
/// reason and message follow the apiserver's wording closely enough for users (and tests)
/// to recognise them.
public struct APIError: Error, Sendable, Equatable, CustomStringConvertible {
    public var code: Int
    public var reason: String
    public var message: String
    public var details: JSONValue?

    public init(code: Int, reason: String, message: String, details: JSONValue? = nil) {
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
    }

    public var description: String { "\(code) \(reason): \(message)" }

    /// The `metav1.Status` body.
    public var status: JSONValue {
        var s: [String: JSONValue] = [
            "kind": "Status", "apiVersion": "v1", "metadata": .object([:]),
            "status": "Failure", "message": .string(message), "code": .int(Int64(code)),
        ]
        if !reason.isEmpty { s["reason"] = .string(reason) }
        if let details { s["details"] = details }
        return .object(s)
    }

    static func detailsFor(_ type: ResourceType, name: String) -> JSONValue {
        var d: [String: JSONValue] = ["name": .string(name), "kind": .string(type.resource)]
        if !type.group.isEmpty { d["group"] = .string(type.group) }
        return .object(d)
    }

    public static func notFound(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "\(type.groupResource) \"\(name)\" not found",
                 details: detailsFor(type, name: name))
    }

    public static func alreadyExists(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 409, reason: "AlreadyExists", message: "\(type.groupResource) \"\(name)\" already exists",
                 details: detailsFor(type, name: name))
    }

    public static func conflict(_ type: ResourceType, name: String) -> APIError {
        APIError(code: 409, reason: "Conflict",
                 message: "Operation cannot be fulfilled on \(type.groupResource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
                 details: detailsFor(type, name: name))
    }

    /// 422 Invalid: `Deployment.apps "web" is invalid: <field>: <problem>`.
    public static func invalid(_ type: ResourceType, name: String, _ problem: String) -> APIError {
        let kind = type.group.isEmpty ? type.kind : "\(type.kind).\(type.group)"
        return APIError(code: 422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: \(problem)",
                        details: detailsFor(type, name: name))
    }

    public static func badRequest(_ message: String) -> APIError {
        APIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func gone(_ message: String) -> APIError {
        APIError(code: 410, reason: "Expired", message: message)
    }

    public static func notFoundPath(_ path: String) -> APIError {
        APIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    public static func methodNotAllowed(_ method: String) -> APIError {
        APIError(code: 405, reason: "MethodNotAllowed", message: "the server does not allow this method on the requested resource")
    }

    public static func unsupportedMediaType(_ contentType: String) -> APIError {
        APIError(code: 415, reason: "UnsupportedMediaType", message: "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json")
    }

    public static let unauthorized = APIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func internalError(_ message: String) -> APIError {
        APIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }
}
