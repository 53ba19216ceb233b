import Foundation
import KubeAPIMachinery

/// The apiserver's `BeforeCreate`/`BeforeUpdate` steps: fill and protect metadata.
///
/// Runs before admission (validating webhooks see uid and creationTimestamp on CREATE, as
/// from a real apiserver) and before the store commits.
public enum ObjectPreparation {
    static let nameAlphabet = Array("bcdfghjklmnpqrstvwxz2456789")

    /// Five random characters from the alphabet Kubernetes uses for generated names.
    public static func randomSuffix(_ count: Int = 5) -> String {
        String((0..<count).map { _ in nameAlphabet.randomElement() ?? "x" })
    }

    static func newNamespace(_ name: String) -> JSONValue {
        ["apiVersion": "v1", "kind": "Namespace", "metadata": ["name": .string(name)]]
    }

    /// Validates and completes a new object: name (or generateName), namespace, uid,
    /// creationTimestamp, generation 1; resourceVersion is assigned at commit.
    public static func prepareCreate(
        _ type: ResourceType, namespace: String, object: JSONValue, now: String
    ) throws(KubeAPIError) -> JSONValue {
        guard case .object = object else {
            throw KubeAPIError.badRequest("the body of the request was not a JSON object")
        }
        var o = object
        if let kind = o["kind"]?.stringValue, kind != type.kind {
            throw KubeAPIError.badRequest(
                "the API version in the data (\(o["apiVersion"]?.stringValue ?? "")) does not match the expected API version (\(type.apiVersion))"
            )
        }
        o["apiVersion"] = .string(type.apiVersion)
        o["kind"] = .string(type.kind)
        var name = o.name
        if name.isEmpty, let prefix = o[path: "metadata", "generateName"]?.stringValue, !prefix.isEmpty {
            name = prefix + randomSuffix()
        }
        guard !name.isEmpty else {
            throw KubeAPIError.invalid(
                type, name: "", "metadata.name: Required value: name or generateName is required")
        }
        guard isValidName(name) else {
            throw KubeAPIError.invalid(
                type, name: name,
                "metadata.name: Invalid value: \"\(name)\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character"
            )
        }
        o.set(["metadata", "name"], .string(name))
        if type.namespaced {
            let declared = o.namespace
            if !declared.isEmpty, !namespace.isEmpty, declared != namespace {
                throw KubeAPIError.badRequest(
                    "the namespace of the provided object does not match the namespace sent on the request")
            }
            o.set(["metadata", "namespace"], .string(namespace.isEmpty ? declared : namespace))
            if o.namespace.isEmpty { o.set(["metadata", "namespace"], "default") }
        } else {
            o.set(["metadata", "namespace"], nil)
        }
        o.set(["metadata", "uid"], .string(UUID().uuidString.lowercased()))
        o.set(["metadata", "creationTimestamp"], .string(now))
        o.set(["metadata", "resourceVersion"], nil)
        o.set(["metadata", "generation"], 1)
        o.set(["metadata", "managedFields"], nil)
        if type.kind == "Namespace" {
            var labels = o[path: "metadata", "labels"]?.objectValue ?? [:]
            labels["kubernetes.io/metadata.name"] = .string(name)
            o.set(["metadata", "labels"], .object(labels))
            o.set(["spec"], ["finalizers": ["kubernetes"]])
            o.set(["status"], ["phase": "Active"])
        }
        if type.kind == "ValidatingWebhookConfiguration" { try WebhookMatching.validateConfiguration(type, o) }
        return defaulted(o)
    }

    /// The apiserver's defaulting of the batch fields webhooks judge (it runs before
    /// admission): a CronJob's `concurrencyPolicy: Allow`, `suspend` and history limits, a
    /// Job's `parallelism`/`completions` of 1, `backoffLimit` 6, `completionMode`.
    static func defaulted(_ object: JSONValue) -> JSONValue {
        var o = object
        func unset(_ path: [String]) -> Bool {
            let v = path.reduce(Optional(o)) { $0?[$1] }
            return v == nil || v == .null
        }
        func fill(_ path: [String], _ value: JSONValue) { if unset(path) { o.set(path, value) } }
        func job(_ spec: [String]) {
            if unset(spec + ["completions"]), unset(spec + ["parallelism"]) { o.set(spec + ["completions"], 1) }
            fill(spec + ["parallelism"], 1)
            fill(spec + ["backoffLimit"], 6)
            fill(spec + ["completionMode"], "NonIndexed")
            fill(spec + ["suspend"], false)
        }
        switch (o["apiVersion"]?.stringValue, o["kind"]?.stringValue) {
        case ("batch/v1", "CronJob"):
            fill(["spec", "concurrencyPolicy"], "Allow")
            fill(["spec", "suspend"], false)
            fill(["spec", "successfulJobsHistoryLimit"], 3)
            fill(["spec", "failedJobsHistoryLimit"], 1)
            job(["spec", "jobTemplate", "spec"])
        case ("batch/v1", "Job"):
            job(["spec"])
        default: break
        }
        return o
    }

    /// Which part of an object an update may change.
    public enum Part: Sendable { case main, status }

    /// Builds the object an update stores: immutable metadata from `old`, a resourceVersion
    /// precondition (409 when stale), status or spec protected by the subresource split,
    /// generation bumped when anything outside metadata and status changed.
    public static func prepareUpdate(
        _ type: ResourceType, old: JSONValue, new: JSONValue, part: Part
    ) throws(KubeAPIError) -> JSONValue {
        guard case .object = new else { throw KubeAPIError.badRequest("the body of the request was not a JSON object") }
        let name = old.name
        if !new.name.isEmpty, new.name != name {
            throw KubeAPIError.badRequest(
                "the name of the object (\(new.name)) does not match the name on the URL (\(name))")
        }
        let sent = new.resourceVersion
        if !sent.isEmpty, sent != old.resourceVersion { throw KubeAPIError.conflict(type, name: name) }
        if let uid = new[path: "metadata", "uid"]?.stringValue, !uid.isEmpty, uid != old.uid {
            throw KubeAPIError.conflict(type, name: name)
        }
        var o: JSONValue
        switch part {
        case .status:
            o = old
            o["status"] = new["status"]
        case .main:
            o = new
            if type.hasStatus { o["status"] = old["status"] }
        }
        o["apiVersion"] = .string(type.apiVersion)
        o["kind"] = .string(type.kind)
        for field in ["name", "namespace", "uid", "creationTimestamp", "generation", "deletionTimestamp"] {
            o.set(["metadata", field], old[path: "metadata", field])
        }
        o.set(["metadata", "managedFields"], nil)
        o.set(["metadata", "resourceVersion"], .string(old.resourceVersion))
        if type.kind == "Namespace" {
            var labels = o[path: "metadata", "labels"]?.objectValue ?? [:]
            labels["kubernetes.io/metadata.name"] = .string(name)
            o.set(["metadata", "labels"], .object(labels))
        }
        o = defaulted(o)
        if specChanged(old, o) {
            let generation = old[path: "metadata", "generation"]?.intValue ?? 1
            o.set(["metadata", "generation"], .int(Int64(generation + 1)))
        }
        if type.kind == "ValidatingWebhookConfiguration" { try WebhookMatching.validateConfiguration(type, o) }
        return o
    }

    static func specChanged(_ a: JSONValue, _ b: JSONValue) -> Bool {
        var x = a.objectValue ?? [:]
        var y = b.objectValue ?? [:]
        for k in ["metadata", "status", "apiVersion", "kind"] { x[k] = nil; y[k] = nil }
        return x != y
    }

    /// RFC 1123 subdomain (the rule most resource names follow).
    static func isValidName(_ name: String) -> Bool {
        guard name.count <= 253, let first = name.first, let last = name.last else { return false }
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-.")
        let alnum = Set("abcdefghijklmnopqrstuvwxyz0123456789")
        return name.allSatisfy(allowed.contains) && alnum.contains(first) && alnum.contains(last)
    }
}
