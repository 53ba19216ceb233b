import Foundation

/// `batch/v1` Job, reduced to what the singleton rules read: its metadata and
/// `spec.parallelism` (how many pods run at once; absent means 1).
public struct Job: Sendable, Equatable, Codable {
    public var metadata: ObjectMeta
    public var spec: Spec

    public struct Spec: Sendable, Equatable, Codable {
        public var parallelism: Int?
        public init(parallelism: Int? = nil) { self.parallelism = parallelism }
    }

    public init(metadata: ObjectMeta, spec: Spec = Spec()) {
        self.metadata = metadata
        self.spec = spec
    }

    /// Pods the Job runs at once: `spec.parallelism`, defaulted to 1 when absent.
    public var effectiveParallelism: Int { spec.parallelism ?? 1 }

    enum CodingKeys: String, CodingKey { case metadata, spec }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(Spec.self, forKey: .spec) ?? Spec()
    }

    public static func decode(_ data: Data) throws -> Job {
        try JSONDecoder().decode(Job.self, from: data)
    }
}

/// `batch/v1` CronJob, reduced to what the singleton rules read.
public struct CronJob: Sendable, Equatable, Codable {
    public var metadata: ObjectMeta
    public var spec: Spec

    public struct Spec: Sendable, Equatable, Codable {
        /// `Allow` (the default), `Forbid` or `Replace`.
        public var concurrencyPolicy: String?
        public var startingDeadlineSeconds: Int?
        public var jobTemplate: JobTemplate?

        public init(
            concurrencyPolicy: String? = nil, startingDeadlineSeconds: Int? = nil, jobTemplate: JobTemplate? = nil
        ) {
            self.concurrencyPolicy = concurrencyPolicy
            self.startingDeadlineSeconds = startingDeadlineSeconds
            self.jobTemplate = jobTemplate
        }
    }

    /// `spec.jobTemplate`: only its spec is read.
    public struct JobTemplate: Sendable, Equatable, Codable {
        public var spec: Job.Spec?
        public init(spec: Job.Spec? = nil) { self.spec = spec }
    }

    public init(metadata: ObjectMeta, spec: Spec = Spec()) {
        self.metadata = metadata
        self.spec = spec
    }

    /// The policy the CronJob controller applies: `Allow` when unset.
    public var effectiveConcurrencyPolicy: String { spec.concurrencyPolicy ?? CronJob.defaultConcurrencyPolicy }
    public static let defaultConcurrencyPolicy = "Allow"

    /// Pods each Job runs at once: `spec.jobTemplate.spec.parallelism`, 1 when absent.
    public var effectiveParallelism: Int { spec.jobTemplate?.spec?.parallelism ?? 1 }

    /// The concurrency policies that keep `mode`: `at-most-one` never lets two Jobs
    /// overlap (`Forbid`); `at-least-one` also takes `Replace`, whose new Job may start
    /// while the old one's pods are still terminating.
    public static func acceptedConcurrencyPolicies(for mode: SingletonMode) -> [String] {
        mode == .atMostOne ? ["Forbid"] : ["Forbid", "Replace"]
    }

    enum CodingKeys: String, CodingKey { case metadata, spec }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decodeIfPresent(Spec.self, forKey: .spec) ?? Spec()
    }

    public static func decode(_ data: Data) throws -> CronJob {
        try JSONDecoder().decode(CronJob.self, from: data)
    }
}

/// KEDA's `ScaledObject` (`keda.sh/v1alpha1`): KEDA creates and drives an HPA for its
/// target, up to `maxReplicaCount` (100 when unset).
public struct ScaledObject: Sendable, Equatable, Codable {
    public var metadata: ObjectMeta
    public var spec: Spec

    public struct Spec: Sendable, Equatable, Codable {
        public var scaleTargetRef: ScaleTarget
        public var minReplicaCount: Int?
        public var maxReplicaCount: Int?

        public init(scaleTargetRef: ScaleTarget, minReplicaCount: Int? = nil, maxReplicaCount: Int? = nil) {
            self.scaleTargetRef = scaleTargetRef
            self.minReplicaCount = minReplicaCount
            self.maxReplicaCount = maxReplicaCount
        }
    }

    /// `spec.scaleTargetRef`: unlike an HPA's, kind and apiVersion may be left out.
    public struct ScaleTarget: Sendable, Equatable, Codable {
        public var apiVersion: String?
        public var kind: String?
        public var name: String

        public init(apiVersion: String? = nil, kind: String? = nil, name: String) {
            self.apiVersion = apiVersion
            self.kind = kind
            self.name = name
        }
    }

    public init(metadata: ObjectMeta, spec: Spec) {
        self.metadata = metadata
        self.spec = spec
    }

    /// KEDA's default for an unset `maxReplicaCount`.
    public static let defaultMaxReplicaCount = 100

    /// The replicas KEDA may scale to.
    public var effectiveMaxReplicaCount: Int { spec.maxReplicaCount ?? Self.defaultMaxReplicaCount }

    /// The target's kind when it is one of ours, with KEDA's defaults: kind `Deployment`,
    /// apiVersion `apps/v1` (each defaulted on its own, so `kind: StatefulSet` alone is an
    /// `apps/v1` StatefulSet).
    public var targetKind: WorkloadKind? {
        let ref = spec.scaleTargetRef
        let kind = ref.kind.flatMap { $0.isEmpty ? nil : $0 } ?? "Deployment"
        let apiVersion = ref.apiVersion.flatMap { $0.isEmpty ? nil : $0 } ?? "apps/v1"
        return WorkloadKind(kind: kind, group: groupOf(apiVersion: apiVersion))
    }

    enum CodingKeys: String, CodingKey { case metadata, spec }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        metadata = try c.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        spec = try c.decode(Spec.self, forKey: .spec)
    }

    public static func decode(_ data: Data) throws -> ScaledObject {
        try JSONDecoder().decode(ScaledObject.self, from: data)
    }
}
