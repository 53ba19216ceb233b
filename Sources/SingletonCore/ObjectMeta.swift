/// The slice of `metav1.ObjectMeta` the core judges. Decoding ignores every other field,
/// so objects from any Kubernetes version decode.
public struct ObjectMeta: Sendable, Equatable, Codable {
    public var name: String?
    public var generateName: String?
    public var namespace: String?
    public var uid: String?
    public var resourceVersion: String?
    public var labels: [String: String]?
    public var annotations: [String: String]?
    public var ownerReferences: [OwnerReference]?

    public init(
        name: String? = nil, namespace: String? = nil, uid: String? = nil,
        labels: [String: String]? = nil, annotations: [String: String]? = nil,
        ownerReferences: [OwnerReference]? = nil
    ) {
        self.name = name
        self.namespace = namespace
        self.uid = uid
        self.labels = labels
        self.annotations = annotations
        self.ownerReferences = ownerReferences
    }

    /// The singleton contract these annotations describe.
    public var contract: ContractState { ContractState(annotations: annotations) }

    /// The name of the first owner reference to an `apps` Deployment (a ReplicaSet's).
    public var owningDeployment: String? {
        ownerReferences?.first { $0.kind == "Deployment" && groupOf(apiVersion: $0.apiVersion) == "apps" }?.name
    }

    /// The controlling owner, if any (the one with `controller: true`).
    public var controller: OwnerReference? {
        ownerReferences?.first { $0.controller == true }
    }
}

/// `metav1.OwnerReference`.
public struct OwnerReference: Sendable, Equatable, Codable {
    public var apiVersion: String
    public var kind: String
    public var name: String
    public var uid: String
    public var controller: Bool?
    public var blockOwnerDeletion: Bool?

    public init(
        apiVersion: String, kind: String, name: String, uid: String, controller: Bool? = nil,
        blockOwnerDeletion: Bool? = nil
    ) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
        self.uid = uid
        self.controller = controller
        self.blockOwnerDeletion = blockOwnerDeletion
    }
}

/// `metav1.GroupVersionKind` as it appears in an AdmissionRequest.
public struct GroupVersionKind: Sendable, Equatable, Hashable, Codable {
    public var group: String
    public var version: String
    public var kind: String

    public init(group: String, version: String, kind: String) {
        self.group = group
        self.version = version
        self.kind = kind
    }
}

/// `metav1.GroupVersionResource` as it appears in an AdmissionRequest.
public struct GroupVersionResource: Sendable, Equatable, Hashable, Codable {
    public var group: String
    public var version: String
    public var resource: String

    public init(group: String, version: String, resource: String) {
        self.group = group
        self.version = version
        self.resource = resource
    }
}

extension GroupVersionKind {
    // The apiserver omits empty strings (core group) in some encoders; accept both.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        group = try c.decodeIfPresent(String.self, forKey: .group) ?? ""
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        kind = try c.decodeIfPresent(String.self, forKey: .kind) ?? ""
    }
}

extension GroupVersionResource {
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        group = try c.decodeIfPresent(String.self, forKey: .group) ?? ""
        version = try c.decodeIfPresent(String.self, forKey: .version) ?? ""
        resource = try c.decodeIfPresent(String.self, forKey: .resource) ?? ""
    }
}
