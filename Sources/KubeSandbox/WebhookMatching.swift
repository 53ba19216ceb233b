import Foundation
import KubeAPIMachinery

/// Decides whether one webhook of a ValidatingWebhookConfiguration applies to a request:
/// rules (operations, apiGroups, apiVersions, resources with subresources, scope), then
/// namespaceSelector, objectSelector and matchConditions, in the apiserver's order.
public enum WebhookMatching {
    /// Outcome of the match step.
    public enum Result: Sendable, Equatable {
        case matches
        case skip
        /// A matchCondition could not be evaluated; failurePolicy decides.
        case error(String)
    }

    public static func match(
        _ webhook: JSONValue, _ attrs: AdmissionAttributes, namespaceLabels: [String: String]?
    ) -> Result {
        let rules = webhook["rules"]?.arrayValue ?? []
        guard rules.contains(where: { ruleMatches($0, attrs) }) else { return .skip }
        do {
            if !(try selectorMatchesNamespace(webhook["namespaceSelector"], attrs, namespaceLabels)) { return .skip }
            let objectSelector = try LabelQuery.from(selector: webhook["objectSelector"])
            if !objectSelector.requirements.isEmpty {
                let candidates = [attrs.object, attrs.oldObject].compactMap { $0 }
                if !candidates.contains(where: { objectSelector.matches($0.labels) }) { return .skip }
            }
        } catch {
            return .error("invalid selector: \(error.message)")
        }
        var vars: [String: JSONValue] = [
            "object": attrs.object ?? .null, "oldObject": attrs.oldObject ?? .null,
            "request": attrs.celRequest,
        ]
        vars["params"] = .null
        // As the apiserver: any condition that is false skips the webhook, even when another
        // one failed; only errors with no false condition reach the failurePolicy.
        var firstError: String?
        for condition in webhook["matchConditions"]?.arrayValue ?? [] {
            let name = condition["name"]?.stringValue ?? ""
            let source = condition["expression"]?.stringValue ?? ""
            do {
                let expr = try CELExpression(source)
                if try !expr.evaluate(vars) { return .skip }
            } catch {
                firstError =
                    firstError ?? "failed to evaluate match condition \"\(name)\" (\(source)): \(error.message)"
            }
        }
        if let firstError { return .error(firstError) }
        return .matches
    }

    /// The apiserver compiles every matchCondition when the configuration is written and
    /// refuses it (422) when one does not compile. The sandbox does the same with its CEL
    /// subset, so an expression it cannot evaluate is refused loudly at write time instead
    /// of being guessed at on every request.
    static func validateConfiguration(_ type: ResourceType, _ config: JSONValue) throws(KubeAPIError) {
        for (i, webhook) in (config["webhooks"]?.arrayValue ?? []).enumerated() {
            for (j, condition) in (webhook["matchConditions"]?.arrayValue ?? []).enumerated() {
                let field = "webhooks[\(i)].matchConditions[\(j)].expression"
                guard let source = condition["expression"]?.stringValue, !source.isEmpty else {
                    throw KubeAPIError.invalid(type, name: config.name, "\(field): Required value")
                }
                do {
                    _ = try CELExpression(source)
                } catch {
                    throw KubeAPIError.invalid(
                        type, name: config.name,
                        "\(field): Invalid value: \"\(source)\": compilation failed: \(error.message)")
                }
            }
        }
    }

    static func strings(_ v: JSONValue?) -> [String] { (v?.arrayValue ?? []).compactMap(\.stringValue) }

    static func ruleMatches(_ rule: JSONValue, _ attrs: AdmissionAttributes) -> Bool {
        let ops = strings(rule["operations"])
        guard ops.contains("*") || ops.contains(attrs.operation) else { return false }
        let groups = strings(rule["apiGroups"])
        guard groups.contains("*") || groups.contains(attrs.type.group) else { return false }
        let versions = strings(rule["apiVersions"])
        guard versions.contains("*") || versions.contains(attrs.type.version) else { return false }
        let scope = rule["scope"]?.stringValue ?? "*"
        if scope == "Namespaced", !attrs.type.namespaced { return false }
        if scope == "Cluster", attrs.type.namespaced { return false }
        return strings(rule["resources"]).contains { resourceMatches($0, attrs.type.resource, attrs.subresource) }
    }

    /// `*` matches main resources only; `*/*` everything; `x/scale`, `*/scale`, `x/*` subresources.
    static func resourceMatches(_ pattern: String, _ resource: String, _ sub: String) -> Bool {
        let parts = pattern.split(separator: "/", maxSplits: 1).map(String.init)
        let res = parts.first ?? ""
        let patSub = parts.count > 1 ? parts[1] : ""
        guard res == "*" || res == resource else { return false }
        return patSub == "*" || patSub == sub
    }

    /// namespaceSelector: namespaced requests match against their namespace's labels, a
    /// Namespace against its own labels; other cluster-scoped objects always match.
    static func selectorMatchesNamespace(
        _ selector: JSONValue?, _ attrs: AdmissionAttributes,
        _ namespaceLabels: [String: String]?
    ) throws(KubeAPIError) -> Bool {
        let query = try LabelQuery.from(selector: selector)
        if query.requirements.isEmpty { return true }
        if attrs.type.kind == "Namespace" {
            let own = (attrs.object ?? attrs.oldObject)?.labels ?? [:]
            return query.matches(own)
        }
        guard attrs.type.namespaced else { return true }
        var labels = namespaceLabels ?? [:]
        labels["kubernetes.io/metadata.name"] = attrs.namespace
        return query.matches(labels)
    }
}
