import Foundation
import KubeAPIMachinery

/// Who made a request, as authentication established it (goes into `userInfo`).
public struct UserInfo: Sendable, Equatable {
    public var username: String
    public var groups: [String]
    public init(username: String, groups: [String]) {
        self.username = username
        self.groups = groups
    }

    public var json: JSONValue {
        ["username": .string(username), "groups": .array(groups.map { .string($0) })]
    }
}

/// Everything admission needs to know about one write, before it is committed.
public struct AdmissionAttributes: Sendable {
    public var operation: String  // CREATE, UPDATE, DELETE
    public var type: ResourceType
    public var subresource: String
    /// Kind of the object sent to webhooks (`autoscaling/v1 Scale` for scale requests).
    public var kind: (group: String, version: String, kind: String)
    public var name: String
    public var namespace: String
    public var object: JSONValue?
    public var oldObject: JSONValue?
    public var dryRun: Bool
    public var options: JSONValue?
    public var user: UserInfo

    public init(
        operation: String, type: ResourceType, subresource: String = "",
        kind: (group: String, version: String, kind: String)? = nil,
        name: String, namespace: String, object: JSONValue?, oldObject: JSONValue?, dryRun: Bool,
        options: JSONValue? = nil, user: UserInfo
    ) {
        self.operation = operation
        self.type = type
        self.subresource = subresource
        self.kind = kind ?? (type.group, type.version, type.kind)
        self.name = name
        self.namespace = namespace
        self.object = object
        self.oldObject = oldObject
        self.dryRun = dryRun
        self.options = options ?? AdmissionAttributes.defaultOptions(operation)
        self.user = user
    }

    static func defaultOptions(_ operation: String) -> JSONValue {
        let kind: String
        switch operation {
        case "CREATE": kind = "CreateOptions"
        case "DELETE": kind = "DeleteOptions"
        default: kind = "UpdateOptions"
        }
        return ["kind": .string(kind), "apiVersion": "meta.k8s.io/v1"]
    }

    /// The `request` of an AdmissionReview v1, as the apiserver fills it.
    public func reviewRequest(uid: String) -> JSONValue {
        var r: [String: JSONValue] = [
            "uid": .string(uid),
            "kind": ["group": .string(kind.group), "version": .string(kind.version), "kind": .string(kind.kind)],
            "resource": [
                "group": .string(type.group), "version": .string(type.version), "resource": .string(type.resource),
            ],
            "requestKind": [
                "group": .string(kind.group), "version": .string(kind.version), "kind": .string(kind.kind),
            ],
            "requestResource": [
                "group": .string(type.group), "version": .string(type.version), "resource": .string(type.resource),
            ],
            "name": .string(name),
            "operation": .string(operation),
            "userInfo": user.json,
            "object": object ?? .null,
            "oldObject": oldObject ?? .null,
            "dryRun": .bool(dryRun),
            "options": options ?? .null,
        ]
        if !namespace.isEmpty { r["namespace"] = .string(namespace) }
        if !subresource.isEmpty {
            r["subResource"] = .string(subresource)
            r["requestSubResource"] = .string(subresource)
        }
        return .object(r)
    }

    /// The CEL `request` variable (the same fields as the review request, without objects).
    var celRequest: JSONValue {
        var r = reviewRequest(uid: "")
        r["object"] = nil
        r["oldObject"] = nil
        return r
    }
}
