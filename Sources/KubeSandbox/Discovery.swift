import Foundation
import KubeAPIMachinery

/// The discovery documents kubectl reads before anything else: `/version`, `/api`,
/// `/apis`, `/api/v1`, `/apis/G`, `/apis/G/V` (legacy, non-aggregated discovery; kubectl
/// falls back to it when the server answers plain JSON).
public enum Discovery {
    /// kubectl's dispatcher picks the bundled client from `minor`; keep it at 32.
    public static func version() -> JSONValue {
        [
            "major": "1", "minor": "32", "gitVersion": "v1.32.0-sandbox", "gitCommit": "kube-singleton-sandbox",
            "gitTreeState": "clean", "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.23.0",
            "compiler": "gc", "platform": "linux/amd64",
        ]
    }

    public static func apiVersions(serverAddress: String) -> JSONValue {
        [
            "kind": "APIVersions", "versions": ["v1"],
            "serverAddressByClientCIDRs": [["clientCIDR": "0.0.0.0/0", "serverAddress": .string(serverAddress)]],
        ]
    }

    static func groupJSON(_ name: String, _ versions: [String]) -> JSONValue {
        let vs: [JSONValue] = versions.map { ["groupVersion": .string("\(name)/\($0)"), "version": .string($0)] }
        return ["name": .string(name), "versions": .array(vs), "preferredVersion": vs.first ?? .null]
    }

    public static func groupList(_ catalog: Catalog = ResourceCatalog.builtins) -> JSONValue {
        [
            "kind": "APIGroupList", "apiVersion": "v1",
            "groups": .array(catalog.groups.map { groupJSON($0.name, $0.versions) }),
        ]
    }

    public static func group(_ name: String, _ catalog: Catalog = ResourceCatalog.builtins) -> JSONValue? {
        guard let g = catalog.groups.first(where: { $0.name == name }) else { return nil }
        var doc = groupJSON(g.name, g.versions)
        doc["kind"] = "APIGroup"
        doc["apiVersion"] = "v1"
        return doc
    }

    static let verbs: JSONValue = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"]

    /// `APIResourceList` for one group version, with `status` and `scale` subresources.
    public static func resourceList(
        group: String, version: String, _ catalog: Catalog = ResourceCatalog.builtins
    ) -> JSONValue? {
        let types = catalog.resources(group: group, version: version)
        guard !types.isEmpty else { return nil }
        var resources: [JSONValue] = []
        for t in types {
            var r: [String: JSONValue] = [
                "name": .string(t.resource), "singularName": .string(t.singular),
                "namespaced": .bool(t.namespaced), "kind": .string(t.kind), "verbs": verbs,
            ]
            if !t.shortNames.isEmpty { r["shortNames"] = .array(t.shortNames.map { .string($0) }) }
            if !t.categories.isEmpty { r["categories"] = .array(t.categories.map { .string($0) }) }
            resources.append(.object(r))
            for sub in t.subresources {
                var s: [String: JSONValue] = [
                    "name": .string("\(t.resource)/\(sub)"), "singularName": "",
                    "namespaced": .bool(t.namespaced), "kind": .string(t.kind),
                    "verbs": ["get", "patch", "update"],
                ]
                if sub == "scale" {
                    s["group"] = "autoscaling"
                    s["version"] = "v1"
                    s["kind"] = "Scale"
                }
                resources.append(.object(s))
            }
        }
        return [
            "kind": "APIResourceList", "apiVersion": "v1", "groupVersion": .string(types[0].apiVersion),
            "resources": .array(resources),
        ]
    }

}
