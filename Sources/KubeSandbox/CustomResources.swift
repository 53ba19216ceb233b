import Foundation
import KubeAPIMachinery

/// CustomResourceDefinitions (`apiextensions.k8s.io/v1`): applying one makes the sandbox
/// serve its kind under its group and versions, with discovery, short names, the `status`
/// and `scale` subresources and admission, as a real apiserver does once the CRD is
/// Established. Deleting it deletes its objects. No schema validation, no conversion
/// webhooks: every served version shares one storage, like `conversion: None`.
public enum CustomResources {
    static var crdType: ResourceType { ResourceCatalog.customResourceDefinitions }

    /// Checks what the apiserver checks before a CRD can be served (422 otherwise).
    static func validate(_ crd: JSONValue) throws(KubeAPIError) {
        func invalid(_ problem: String) -> KubeAPIError { KubeAPIError.invalid(crdType, name: crd.name, problem) }
        let group = crd[path: "spec", "group"]?.stringValue ?? ""
        let plural = crd[path: "spec", "names", "plural"]?.stringValue ?? ""
        let kind = crd[path: "spec", "names", "kind"]?.stringValue ?? ""
        if group.isEmpty { throw invalid("spec.group: Required value") }
        if plural.isEmpty { throw invalid("spec.names.plural: Required value") }
        if kind.isEmpty { throw invalid("spec.names.kind: Required value") }
        if crd.name != "\(plural).\(group)" {
            throw invalid("metadata.name: Invalid value: \"\(crd.name)\": must be spec.names.plural+\".\"+spec.group")
        }
        let scope = crd[path: "spec", "scope"]?.stringValue ?? ""
        guard scope == "Namespaced" || scope == "Cluster" else {
            throw invalid("spec.scope: Unsupported value: \"\(scope)\": supported values: \"Cluster\", \"Namespaced\"")
        }
        let versions = crd[path: "spec", "versions"]?.arrayValue ?? []
        if versions.isEmpty {
            throw invalid("spec.versions: Invalid value: null: must have exactly one version marked as storage version")
        }
        if versions.filter({ $0["storage"]?.boolValue == true }).count != 1 {
            throw invalid("spec.versions: Invalid value: must have exactly one version marked as storage version")
        }
        if ResourceCatalog.all.contains(where: { $0.group == group && $0.resource == plural }) {
            throw invalid("spec.names.plural: Invalid value: \"\(plural)\": \(plural).\(group) is a built-in resource")
        }
        for (i, v) in versions.enumerated() {
            guard let scale = v[path: "subresources", "scale"] else { continue }
            for field in ["specReplicasPath", "statusReplicasPath"] where (scale[field]?.stringValue ?? "").isEmpty {
                throw invalid("spec.versions[\(i)].subresources.scale.\(field): Required value")
            }
        }
    }

    /// The CRD as stored: validated, with the status a controller would set at once
    /// (names accepted, Established), so `kubectl wait --for condition=established` returns.
    static func prepared(_ crd: JSONValue, now: String) throws(KubeAPIError) -> JSONValue {
        try validate(crd)
        var o = crd
        let condition = { (type: String, reason: String, message: String) -> JSONValue in
            [
                "type": .string(type), "status": "True", "reason": .string(reason), "message": .string(message),
                "lastTransitionTime": .string(now),
            ]
        }
        let versions = crd[path: "spec", "versions"]?.arrayValue ?? []
        let stored = versions.filter { $0["storage"]?.boolValue == true }.compactMap { $0["name"] }
        o["status"] = [
            "acceptedNames": crd[path: "spec", "names"] ?? .object([:]),
            "conditions": [
                condition("NamesAccepted", "NoConflicts", "no conflicts found"),
                condition("Established", "InitialNamesAccepted", "the initial names have been accepted"),
            ],
            "storedVersions": .array(stored),
        ]
        return o
    }

    /// The types one CRD serves, one per served version.
    static func types(_ crd: JSONValue) -> [ResourceType] {
        let names = crd[path: "spec", "names"] ?? .object([:])
        let group = crd[path: "spec", "group"]?.stringValue ?? ""
        let strings = { (v: JSONValue?) in (v?.arrayValue ?? []).compactMap(\.stringValue) }
        return (crd[path: "spec", "versions"]?.arrayValue ?? []).compactMap { v in
            guard v["served"]?.boolValue != false, let version = v["name"]?.stringValue else { return nil }
            var subresources: [String] = []
            if v[path: "subresources", "status"] != nil { subresources.append("status") }
            var paths: ScalePaths?
            if let scale = v[path: "subresources", "scale"] {
                subresources.append("scale")
                paths = ScalePaths(
                    specReplicasPath: scale["specReplicasPath"]?.stringValue ?? ".spec.replicas",
                    statusReplicasPath: scale["statusReplicasPath"]?.stringValue ?? ".status.replicas",
                    labelSelectorPath: scale["labelSelectorPath"]?.stringValue)
            }
            return ResourceType(
                group: group, version: version, resource: names["plural"]?.stringValue ?? "",
                kind: names["kind"]?.stringValue ?? "",
                namespaced: crd[path: "spec", "scope"]?.stringValue != "Cluster",
                shortNames: strings(names["shortNames"]), subresources: subresources,
                categories: strings(names["categories"]), scalePaths: paths)
        }
    }

    /// The catalog with every stored CRD's types added.
    static func catalog(_ crds: [JSONValue]) -> Catalog { Catalog(custom: crds.flatMap(types)) }
}

extension CustomResources {
    /// Argo Rollouts' `rollouts.argoproj.io`, as its install manifest declares it (names,
    /// scope, the status and scale subresources); the schema is left open.
    public static let argoRollouts: JSONValue = definition(
        group: "argoproj.io", version: "v1alpha1", plural: "rollouts", kind: "Rollout", shortNames: ["ro"],
        scale: [
            "specReplicasPath": ".spec.replicas", "statusReplicasPath": ".status.HPAReplicas",
            "labelSelectorPath": ".status.selector",
        ])

    /// KEDA's `scaledobjects.keda.sh` (names, scope, status subresource; schema left open).
    public static let kedaScaledObjects: JSONValue = definition(
        group: "keda.sh", version: "v1alpha1", plural: "scaledobjects", kind: "ScaledObject", shortNames: ["so"],
        scale: nil)

    /// The definitions `--crd` knows by name.
    public static let wellKnown: [String: JSONValue] = ["argo-rollouts": argoRollouts, "keda": kedaScaledObjects]

    static func definition(
        group: String, version: String, plural: String, kind: String, shortNames: [String], scale: JSONValue?
    ) -> JSONValue {
        var subresources: [String: JSONValue] = ["status": .object([:])]
        if let scale { subresources["scale"] = scale }
        return [
            "apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
            "metadata": ["name": .string("\(plural).\(group)")],
            "spec": [
                "group": .string(group), "scope": "Namespaced",
                "names": [
                    "kind": .string(kind), "listKind": .string("\(kind)List"), "plural": .string(plural),
                    "singular": .string(kind.lowercased()), "shortNames": .array(shortNames.map { .string($0) }),
                ],
                "versions": [
                    [
                        "name": .string(version), "served": true, "storage": true,
                        "schema": [
                            "openAPIV3Schema": ["type": "object", "x-kubernetes-preserve-unknown-fields": true]
                        ],
                        "subresources": .object(subresources),
                    ]
                ],
            ],
        ]
    }
}

extension CustomResources {
    /// About `objects` objects once the controllers ran: a third as Deployments (one
    /// replica each, so each adds a ReplicaSet and a Pod), 100 per namespace `fill-N`.
    public static func fill(objects: Int) -> [JSONValue] {
        (0..<max(0, objects / 3)).map { i in
            let name = "fill-\(i)"
            let labels: JSONValue = ["app": .string(name)]
            return [
                "apiVersion": "apps/v1", "kind": "Deployment",
                "metadata": ["name": .string(name), "namespace": .string("fill-\(i / 100)"), "labels": labels],
                "spec": [
                    "replicas": 1, "selector": ["matchLabels": labels],
                    "template": [
                        "metadata": ["labels": labels],
                        "spec": ["containers": [["name": "app", "image": "nginx:1.27"]]],
                    ],
                ],
            ]
        }
    }
}
