import Foundation
import KubeAPIMachinery
import SingletonCore

/// The joins `SingletonAnalyzer` makes, as hash lookups built once per snapshot: a report
/// costs the objects it touches, not every object of the cluster. Each lookup answers
/// exactly what a scan in the snapshot's order would (the first match where the analyzer
/// takes the first).
struct SnapshotIndex: Sendable {
    struct Named: Hashable, Sendable {
        var namespace: String
        var name: String
    }
    struct Label: Hashable, Sendable {
        var namespace: String
        var key: String
        var value: String
    }

    /// Pods by namespace, by each of their labels, and by name.
    private var podsInNamespace: [String: [Int]] = [:]
    private var podsByLabel: [Label: [Int]] = [:]
    private var podsByName: [Named: Int] = [:]
    /// PDBs whose selector requires a label, under the first one; the rest (no matchLabels)
    /// are candidates for every pod of their namespace.
    private var pdbSelectors: [LabelSelector?] = []
    private var pdbsByLabel: [Label: [Int]] = [:]
    private var pdbsUnkeyed: [String: [Int]] = [:]
    private var pdbsByName: [Named: Int] = [:]
    /// Services the same way (a selector of only string values is keyed by its first label).
    private var servicesByLabel: [Label: [Int]] = [:]
    private var servicesUnkeyed: [String: [Int]] = [:]
    private var servicesByName: [Named: Int] = [:]
    private var autoscalersByTarget: [Named: [Int]] = [:]
    private var leasesByName: [Named: Int] = [:]

    init(_ s: ClusterSnapshot) {
        self.init(
            pods: s.pods, podDisruptionBudgets: s.podDisruptionBudgets, services: s.services,
            autoscalers: s.autoscalers, leases: s.leases)
    }

    init(
        pods: [PodSummary], podDisruptionBudgets: [JSONValue], services: [JSONValue], autoscalers: [JSONValue],
        leases: [JSONValue]
    ) {
        for (i, pod) in pods.enumerated() {
            podsInNamespace[pod.namespace, default: []].append(i)
            for (key, value) in pod.labels {
                podsByLabel[Label(namespace: pod.namespace, key: key, value: value), default: []].append(i)
            }
            if podsByName[Named(namespace: pod.namespace, name: pod.name)] == nil {
                podsByName[Named(namespace: pod.namespace, name: pod.name)] = i
            }
        }
        for (i, pdb) in podDisruptionBudgets.enumerated() {
            let ns = pdb[path: "metadata", "namespace"]?.stringValue ?? ""
            let selector = Companions.selector(of: pdb)
            pdbSelectors.append(selector)
            if let first = selector?.matchLabels?.min(by: { $0.key < $1.key }) {
                pdbsByLabel[Label(namespace: ns, key: first.key, value: first.value), default: []].append(i)
            } else if selector != nil {
                pdbsUnkeyed[ns, default: []].append(i)
            }
            let named = Named(namespace: ns, name: pdb[path: "metadata", "name"]?.stringValue ?? "")
            if pdbsByName[named] == nil { pdbsByName[named] = i }
        }
        for (i, svc) in services.enumerated() {
            let ns = svc[path: "metadata", "namespace"]?.stringValue ?? ""
            if let selector = svc[path: "spec", "selector"]?.objectValue, !selector.isEmpty {
                if let first = selector.min(by: { $0.key < $1.key }), let value = first.value.stringValue,
                    selector.values.allSatisfy({ $0.stringValue != nil })
                {
                    servicesByLabel[Label(namespace: ns, key: first.key, value: value), default: []].append(i)
                } else {
                    servicesUnkeyed[ns, default: []].append(i)
                }
            }
            let named = Named(namespace: ns, name: svc[path: "metadata", "name"]?.stringValue ?? "")
            if servicesByName[named] == nil { servicesByName[named] = i }
        }
        for (i, hpa) in autoscalers.enumerated() {
            guard let target = hpa[path: "spec", "scaleTargetRef", "name"]?.stringValue else { continue }
            let ns = hpa[path: "metadata", "namespace"]?.stringValue ?? ""
            autoscalersByTarget[Named(namespace: ns, name: target), default: []].append(i)
        }
        for (i, lease) in leases.enumerated() {
            let named = Named(
                namespace: lease[path: "metadata", "namespace"]?.stringValue ?? "",
                name: lease[path: "metadata", "name"]?.stringValue ?? "")
            if leasesByName[named] == nil { leasesByName[named] = i }
        }
    }

    /// Indexes of the pods in `namespace` that `selector` selects, in snapshot order.
    func pods(in namespace: String, selectedBy selector: LabelSelector) -> [Int] {
        let candidates: [Int]
        if let labels = selector.matchLabels, !labels.isEmpty {
            // The rarest required label narrows the most.
            candidates =
                labels.map { podsByLabel[Label(namespace: namespace, key: $0.key, value: $0.value)] ?? [] }
                .min { $0.count < $1.count } ?? []
        } else {
            candidates = podsInNamespace[namespace] ?? []
        }
        return candidates
    }

    func pod(named name: String, in namespace: String) -> Int? { podsByName[Named(namespace: namespace, name: name)] }

    /// The PDBs of `namespace` that could select pods labelled `podLabels` (the caller checks),
    /// in snapshot order.
    func pdbCandidates(in namespace: String, podLabels: [String: String]) -> [Int] {
        Self.candidates(pdbsUnkeyed, pdbsByLabel, namespace, podLabels)
    }

    func pdbSelector(_ index: Int) -> LabelSelector? { pdbSelectors[index] }

    func pdb(named name: String, in namespace: String) -> Int? { pdbsByName[Named(namespace: namespace, name: name)] }

    /// The Services of `namespace` whose selector could match `podLabels` (the caller
    /// checks), in snapshot order.
    func serviceCandidates(in namespace: String, podLabels: [String: String]) -> [Int] {
        Self.candidates(servicesUnkeyed, servicesByLabel, namespace, podLabels)
    }

    /// The unkeyed ones of the namespace and those keyed by one of the pod's labels, in order.
    private static func candidates(
        _ unkeyed: [String: [Int]], _ byLabel: [Label: [Int]], _ namespace: String, _ podLabels: [String: String]
    ) -> [Int] {
        var found = unkeyed[namespace] ?? []
        for (key, value) in podLabels { found += byLabel[Label(namespace: namespace, key: key, value: value)] ?? [] }
        return found.sorted()
    }

    func service(named name: String, in namespace: String) -> Int? {
        servicesByName[Named(namespace: namespace, name: name)]
    }

    func autoscalers(targeting name: String, in namespace: String) -> [Int] {
        autoscalersByTarget[Named(namespace: namespace, name: name)] ?? []
    }

    func lease(named name: String, in namespace: String) -> Int? {
        leasesByName[Named(namespace: namespace, name: name)]
    }
}
