import Foundation

/// `autoscaling/v1` Scale: what `kubectl scale` and the HPA write through `*/scale`.
///
/// Its metadata carries no labels or annotations (the apiserver builds it from the
/// parent's name, namespace, uid, resourceVersion and creationTimestamp only), which is
/// why scale requests need a parent lookup. `spec.replicas` is `omitempty`: absent means 0.
public struct Scale: Sendable, Equatable, Codable {
    public var metadata: ObjectMeta
    public var spec: Spec
    public var status: Status?

    public struct Spec: Sendable, Equatable, Codable {
        public var replicas: Int?
        public init(replicas: Int? = nil) { self.replicas = replicas }
    }

    public struct Status: Sendable, Equatable, Codable {
        public var replicas: Int?
        public var selector: String?
        public init(replicas: Int? = nil, selector: String? = nil) {
            self.replicas = replicas
            self.selector = selector
        }
    }

    public init(metadata: ObjectMeta, replicas: Int?, status: Status? = nil) {
        self.metadata = metadata
        self.spec = Spec(replicas: replicas)
        self.status = status
    }

    /// Desired replicas: a missing `spec.replicas` is 0, not 1 (the field is omitempty).
    public var desiredReplicas: Int { spec.replicas ?? 0 }

    enum CodingKeys: String, CodingKey { case metadata, spec, status }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(Spec.self, forKey: .spec) ?? Spec()
        status = try c.decodeIfPresent(Status.self, forKey: .status)
    }

    public static func decode(_ data: Data) throws -> Scale {
        try JSONDecoder().decode(Scale.self, from: data)
    }
}

/// A HorizontalPodAutoscaler (autoscaling/v1 or v2: the fields we read are the same).
public struct HorizontalPodAutoscaler: Sendable, Equatable, Codable {
    public var metadata: ObjectMeta
    public var spec: Spec

    public struct Spec: Sendable, Equatable, Codable {
        public var scaleTargetRef: CrossVersionObjectReference
        public var minReplicas: Int?
        public var maxReplicas: Int
        public init(scaleTargetRef: CrossVersionObjectReference, minReplicas: Int? = nil, maxReplicas: Int) {
            self.scaleTargetRef = scaleTargetRef
            self.minReplicas = minReplicas
            self.maxReplicas = maxReplicas
        }
    }

    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// The workload kind the HPA scales, when it is one of ours.
    public var targetKind: WorkloadKind? {
        WorkloadKind(apiVersion: spec.scaleTargetRef.apiVersion, kind: spec.scaleTargetRef.kind)
    }

    public static func decode(_ data: Data) throws -> HorizontalPodAutoscaler {
        try JSONDecoder().decode(HorizontalPodAutoscaler.self, from: data)
    }
}

/// `autoscaling.CrossVersionObjectReference`.
public struct CrossVersionObjectReference: Sendable, Equatable, Codable {
    public var apiVersion: String?
    public var kind: String
    public var name: String
    public init(apiVersion: String? = nil, kind: String, name: String) {
        self.apiVersion = apiVersion
        self.kind = kind
        self.name = name
    }
}
