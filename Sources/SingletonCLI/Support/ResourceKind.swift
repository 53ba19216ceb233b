import SingletonCore

/// A kind the plugin acts on: a workload with replicas (`WorkloadKind`), or a batch kind whose
/// singleton guarantee is about Jobs and pods at once rather than replicas.
///
/// Why a plugin type: the core judges CronJobs and Jobs with their own rules and has no
/// replicas or scale subresource for them, so they are not `WorkloadKind`s; the plugin still
/// names, reads, patches and completes them like any other `KIND/NAME`.
public enum ResourceKind: Sendable, Hashable, CustomStringConvertible {
    case workload(WorkloadKind)
    case cronJob
    case job

    public static let deployment = ResourceKind.workload(.deployment)
    public static let statefulSet = ResourceKind.workload(.statefulSet)
    public static let replicaSet = ResourceKind.workload(.replicaSet)
    public static let replicationController = ResourceKind.workload(.replicationController)

    /// Every kind, workloads first, as `list` reads them.
    public static var allCases: [ResourceKind] { WorkloadKind.allCases.map(ResourceKind.workload) + [.cronJob, .job] }

    /// The workload kind, nil for the batch kinds.
    public var workload: WorkloadKind? {
        if case .workload(let kind) = self { return kind }
        return nil
    }

    /// `Deployment`, `CronJob`: the `kind` of the object.
    public var rawValue: String {
        switch self {
        case .workload(let kind): return kind.rawValue
        case .cronJob: return "CronJob"
        case .job: return "Job"
        }
    }
    public var description: String { rawValue }

    public var group: String { workload?.group ?? "batch" }
    public var version: String { workload?.version ?? "v1" }
    public var apiVersion: String { workload?.apiVersion ?? "batch/v1" }
    public var resource: String {
        switch self {
        case .workload(let kind): return kind.resource
        case .cronJob: return "cronjobs"
        case .job: return "jobs"
        }
    }
    /// kubectl's short name (a Job has none: its plural is the shortest spelling).
    public var shortName: String? {
        switch self {
        case .workload(let kind): return kind.shortName
        case .cronJob: return "cj"
        case .job: return nil
        }
    }
    public var singular: String { rawValue.lowercased() }
    /// `deployment.apps`, `cronjob.batch`: the prefix kubectl prints in `KIND/NAME`.
    public var qualifiedSingular: String { workload?.qualifiedSingular ?? "\(singular).batch" }

    public func collectionPath(namespace: String?) -> String {
        if let workload { return workload.collectionPath(namespace: namespace) }
        if let namespace { return "/apis/batch/v1/namespaces/\(namespace)/\(resource)" }
        return "/apis/batch/v1/\(resource)"
    }

    public func objectPath(namespace: String, name: String) -> String {
        "\(collectionPath(namespace: namespace))/\(name)"
    }

    /// kubectl's spellings: those of the workload kinds, and `cj`, `cronjob(s)`, `job(s)`, each
    /// also with `.batch` or `.v1.batch`.
    public init?(spelling: String) {
        if let kind = WorkloadKind(spelling: spelling) {
            self = .workload(kind)
            return
        }
        let lowered = spelling.lowercased()
        for kind in [ResourceKind.cronJob, .job] {
            let names = [kind.singular, kind.resource] + (kind.shortName.map { [$0] } ?? [])
            let spellings = names + names.flatMap { ["\($0).batch", "\($0).v1.batch"] }
            if spellings.contains(lowered) {
                self = kind
                return
            }
        }
        return nil
    }

    /// The kind of an object as written in a manifest or returned by the API.
    public init?(apiVersion: String?, kind: String) {
        if let workload = WorkloadKind(apiVersion: apiVersion, kind: kind) {
            self = .workload(workload)
        } else if groupOf(apiVersion: apiVersion ?? "batch/v1") == "batch", kind == "CronJob" || kind == "Job" {
            self = kind == "CronJob" ? .cronJob : .job
        } else {
            return nil
        }
    }
}
