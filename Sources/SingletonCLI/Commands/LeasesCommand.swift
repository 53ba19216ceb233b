import ArgumentParser
import Foundation
import KubeAPIMachinery
import SingletonCore

/// `leases`: who holds each leader-election lock, and whether that holder is alive.
struct LeasesCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "leases",
        abstract: "Show leader-election locks, their holders and pods.",
        discussion: """
            Reads coordination.k8s.io Leases, the legacy control-plane.alpha.kubernetes.io/leader
            annotation on ConfigMaps and Endpoints, and Apache Camel ConfigMap locks
            (leader.pod.<group>). Each holder is resolved to a pod (exact name, then the part
            before `_`, as client-go writes <pod>_<uuid>) and to that pod's workload.
            EXPIRED compares renewTime + duration with this machine's clock: an estimate.
            Node heartbeats (kube-node-lease) and API-server identity leases are hidden
            unless --all.

            Examples:
              kubectl singleton leases -n kube-system
              kubectl singleton leases -A --all -o wide

            Exit codes: 0 listed; 1 failure.
            """
    )

    @OptionGroup var kube: KubeOptions
    @OptionGroup var scope: ListScopeOptions
    static let outputs = ["wide", "json", "yaml", "name", "jsonpath"]

    @Flag(help: "Include node heartbeats and API-server identity leases.") var all = false
    @Option(name: [.short, .customLong("output")], help: OutputFormat.help(outputs)) var output: OutputFormat?
    @Flag(name: .customLong("no-headers"), help: "Print the table without its header line.") var noHeaders = false

    func validate() throws {
        try OutputFormat.check(output, accepted: Self.outputs, command: "leases")
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let api = try env.connector.connect(kube)
        let namespace: String? = scope.allNamespaces ? nil : (kube.namespace ?? api.defaultNamespace)
        let loader = SnapshotLoader(api: api, env: env)
        var records = items(try await api.get(CompanionPaths.leases(namespace))).map(LeaderRecords.fromLease)
        for path in [
            namespace.map { "/api/v1/namespaces/\($0)/configmaps" } ?? "/api/v1/configmaps",
            namespace.map { "/api/v1/namespaces/\($0)/endpoints" } ?? "/api/v1/endpoints",
        ] {
            for object in await loader.optionalList(path, path.hasSuffix("configmaps") ? "configmaps" : "endpoints") {
                var typed = object
                if typed["kind"] == nil { typed["kind"] = path.hasSuffix("configmaps") ? "ConfigMap" : "Endpoints" }
                records += LeaderRecords.fromLockObject(typed)
            }
        }
        if !all { records.removeAll(where: \.isSystemHeartbeat) }
        records.sort { ($0.namespace, $0.displayName) < ($1.namespace, $1.displayName) }
        let pods =
            records.isEmpty
            ? [] : await loader.optionalList(CompanionPaths.pods(namespace), "pods").map(PodSummary.init)
        let views = records.map { LeaseView(record: $0, pods: pods, now: env.now()) }
        switch output {
        case .json?, .yaml?, .jsonpath?:
            env.out.write((output ?? .json).render(listDocument(views.map(Self.document))))
        case .name?:
            for view in views { env.out.line(view.record.displayName) }
        default:
            if views.isEmpty {
                env.err.line(noResourcesMessage(namespace: namespace))
            } else {
                env.out.write(
                    Self.table(views, allNamespaces: namespace == nil, wide: output == .wide).render(
                        headers: !noHeaders))
            }
        }
        for view in views {
            if let problem = view.record.problem {
                env.err.line("Warning: \(view.record.namespace)/\(view.record.displayName): \(problem)")
            }
        }
        return 0
    }

    static func table(_ views: [LeaseView], allNamespaces: Bool, wide: Bool) -> Table {
        var headers = ["NAME", "HOLDER", "POD", "WORKLOAD", "RENEWED", "DURATION", "TRANSITIONS", "EXPIRED"]
        if wide { headers += ["ACQUIRED", "PROBLEM"] }
        if allNamespaces { headers.insert("NAMESPACE", at: 0) }
        let rows: [[String]] = views.map { v in
            let r = v.record
            var row = [
                r.displayName, r.isReleased ? "<released>" : (r.holder ?? ""), v.pod?.name ?? "<none>",
                v.pod?.workload ?? "<none>",
                v.renewedText, r.durationSeconds.map { "\($0)s" } ?? "-", r.transitions.map(String.init) ?? "-",
                v.expiredText,
            ]
            if wide {
                row += [r.acquireTime.map { $0.formatted(.iso8601) } ?? "-", r.problem ?? "<none>"]
            }
            if allNamespaces { row.insert(r.namespace, at: 0) }
            return row
        }
        return Table(headers: headers, rows: rows)
    }

    static func document(_ v: LeaseView) -> JSONValue {
        let r = v.record
        var source: String
        switch r.source {
        case .lease: source = "Lease"
        case .annotation(let kind): source = "\(kind) annotation \(LeaderRecords.legacyAnnotation)"
        case .camel(let group): source = "Camel ConfigMap lock, group \(group)"
        }
        return [
            "apiVersion": .string(r.objectType.apiVersion), "kind": .string(r.objectType.kind),
            "metadata": ["name": .string(r.objectName), "namespace": .string(r.namespace)],
            "name": .string(r.displayName), "namespace": .string(r.namespace), "source": .string(source),
            "holder": r.holder.map(JSONValue.string) ?? .null, "pod": v.pod.map { .string($0.name) } ?? .null,
            "workload": v.pod?.workload.map(JSONValue.string) ?? .null,
            "renewTime": r.renewTime.map { .string($0.formatted(.iso8601)) } ?? .null,
            "renewedSecondsAgo": v.renewedSecondsAgo.map { .int(Int64($0.rounded(.down))) } ?? .null,
            "leaseDurationSeconds": r.durationSeconds.map { .int(Int64($0)) } ?? .null,
            "transitions": r.transitions.map { .int(Int64($0)) } ?? .null,
            "expiredEstimate": v.expired.map(JSONValue.bool) ?? .null,
            "problem": r.problem.map(JSONValue.string) ?? .null,
        ]
    }
}
