import KubeAPIMachinery
import SingletonCore

/// The smallest JSON merge patch that makes `existing` carry every field of `desired`.
///
/// Why: the plugin's writes must be exactly the fields it changes, so fields other tools
/// own (and fields the plugin does not model) survive. Objects are compared key by key and
/// recursed into; any other value (arrays included, as merge patches replace arrays) is sent
/// whole when it differs. An array counts as equal when each element of `desired` is
/// contained in the existing element at the same index: the API server adds defaults
/// (`imagePullPolicy`, `protocol`) that must not make every rerun rewrite the array. Keys
/// absent from `desired` are never removed. Returns nil when nothing differs.
public func mergePatchDiff(existing: JSONValue, desired: JSONValue) -> JSONValue? {
    guard case .object(let want) = desired else { return existing == desired ? nil : desired }
    guard case .object(let have) = existing else { return desired }
    var patch: [String: JSONValue] = [:]
    for (key, value) in want {
        guard let current = have[key] else {
            patch[key] = value
            continue
        }
        if case .object = value, case .object = current {
            if let nested = mergePatchDiff(existing: current, desired: value) { patch[key] = nested }
        } else if !isContained(value, in: current) {
            patch[key] = value
        }
    }
    return patch.isEmpty ? nil : .object(patch)
}

/// Whether `value` is `container` with possibly fewer object keys (recursively).
func isContained(_ value: JSONValue, in container: JSONValue) -> Bool {
    switch (value, container) {
    case (.object(let a), .object(let b)):
        return a.allSatisfy { key, v in b[key].map { isContained(v, in: $0) } ?? false }
    case (.array(let a), .array(let b)):
        return a.count == b.count && zip(a, b).allSatisfy { isContained($0, in: $1) }
    default:
        return value == container
    }
}
