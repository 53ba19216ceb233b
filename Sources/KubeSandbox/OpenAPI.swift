import Foundation
import KubeAPIMachinery

/// Just enough OpenAPI v3 for kubectl: the root index (`/openapi/v3`) and per group-version
/// documents whose PATCH operations carry `x-kubernetes-group-version-kind` and the
/// `dryRun`/`fieldManager`/`fieldValidation`/`force` query parameters, which is what
/// kubectl's query-parameter verifier looks for before `create`/`apply`.
/// No component schemas are published: kubectl then computes strategic merge patches from
/// its compiled-in types, and the sandbox does no schema validation (documented).
public enum OpenAPI {
    static func groupVersionPath(_ group: String, _ version: String) -> String {
        group.isEmpty ? "api/\(version)" : "apis/\(group)/\(version)"
    }

    public static func root(_ catalog: Catalog = ResourceCatalog.builtins) -> JSONValue {
        var paths: [String: JSONValue] = [:]
        var seen = Set<String>()
        for t in catalog.all where seen.insert(groupVersionPath(t.group, t.version)).inserted {
            let p = groupVersionPath(t.group, t.version)
            paths[p] = ["serverRelativeURL": .string("/openapi/v3/\(p)?hash=sandbox1")]
        }
        return ["paths": .object(paths)]
    }

    /// The document for `/openapi/v3/api/v1` or `/openapi/v3/apis/G/V`; nil if unknown.
    public static func groupVersion(_ path: String, _ catalog: Catalog = ResourceCatalog.builtins) -> JSONValue? {
        let types = catalog.all.filter { groupVersionPath($0.group, $0.version) == path }
        guard !types.isEmpty else { return nil }
        let params: [JSONValue] = ["dryRun", "fieldManager", "fieldValidation", "force"].map {
            ["name": .string($0), "in": "query", "schema": ["type": "string"]]
        }
        var paths: [String: JSONValue] = [:]
        for t in types {
            let gvk: JSONValue = ["group": .string(t.group), "version": .string(t.version), "kind": .string(t.kind)]
            let op: JSONValue = [
                "operationId": .string("patch\(t.kind)"), "parameters": .array(params),
                "x-kubernetes-action": "patch", "x-kubernetes-group-version-kind": gvk,
                "responses": ["200": ["description": "OK"]],
            ]
            let base = "/" + path + (t.namespaced ? "/namespaces/{namespace}" : "")
            paths["\(base)/\(t.resource)/{name}"] = ["patch": op, "put": op]
            paths["\(base)/\(t.resource)"] = ["post": op]
        }
        return [
            "openapi": "3.0.0", "info": ["title": "Kubernetes (kube-singleton sandbox)", "version": "v1.32.0"],
            "paths": .object(paths), "components": ["schemas": .object([:])],
        ]
    }
}
