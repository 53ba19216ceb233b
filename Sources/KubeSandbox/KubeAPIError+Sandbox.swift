import Foundation
import KubeAPIMachinery

/// The failures the sandbox answers, worded as the apiserver words them: kubectl prints
/// `Error from server (<Reason>): <message>` from the Status body, so users (and tests)
/// recognise them.
extension KubeAPIError {
    /// The `metav1.Status` body, as a JSON value for responses and watch ERROR events.
    var statusObject: JSONValue {
        (try? JSONValue.parse(JSONEncoder().encode(status))) ?? .null
    }

    static func detailsFor(_ type: ResourceType, name: String) -> Status.Details {
        Status.Details(name: name, group: type.group.isEmpty ? nil : type.group, kind: type.resource)
    }

    public static func notFound(_ type: ResourceType, name: String) -> KubeAPIError {
        KubeAPIError(
            code: 404, reason: "NotFound", message: "\(type.groupResource) \"\(name)\" not found",
            details: detailsFor(type, name: name))
    }

    public static func alreadyExists(_ type: ResourceType, name: String) -> KubeAPIError {
        KubeAPIError(
            code: 409, reason: "AlreadyExists", message: "\(type.groupResource) \"\(name)\" already exists",
            details: detailsFor(type, name: name))
    }

    public static func conflict(_ type: ResourceType, name: String) -> KubeAPIError {
        KubeAPIError(
            code: 409, reason: "Conflict",
            message:
                "Operation cannot be fulfilled on \(type.groupResource) \"\(name)\": the object has been modified; please apply your changes to the latest version and try again",
            details: detailsFor(type, name: name))
    }

    /// 422 Invalid: `Deployment.apps "web" is invalid: <field>: <problem>`.
    public static func invalid(_ type: ResourceType, name: String, _ problem: String) -> KubeAPIError {
        let kind = type.group.isEmpty ? type.kind : "\(type.kind).\(type.group)"
        return KubeAPIError(
            code: 422, reason: "Invalid", message: "\(kind) \"\(name)\" is invalid: \(problem)",
            details: detailsFor(type, name: name))
    }

    public static func badRequest(_ message: String) -> KubeAPIError {
        KubeAPIError(code: 400, reason: "BadRequest", message: message)
    }

    public static func gone(_ message: String) -> KubeAPIError {
        KubeAPIError(code: 410, reason: "Expired", message: message)
    }

    public static func notFoundPath(_ path: String) -> KubeAPIError {
        KubeAPIError(code: 404, reason: "NotFound", message: "the server could not find the requested resource")
    }

    public static func methodNotAllowed(_ method: String) -> KubeAPIError {
        KubeAPIError(
            code: 405, reason: "MethodNotAllowed",
            message: "the server does not allow this method on the requested resource")
    }

    public static func unsupportedMediaType(_ contentType: String) -> KubeAPIError {
        KubeAPIError(
            code: 415, reason: "UnsupportedMediaType",
            message:
                "the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json"
        )
    }

    public static let unauthorized = KubeAPIError(code: 401, reason: "Unauthorized", message: "Unauthorized")

    public static func internalError(_ message: String) -> KubeAPIError {
        KubeAPIError(code: 500, reason: "InternalError", message: "Internal error occurred: \(message)")
    }
}
