import Foundation
import KubeAPIMachinery

/// One requirement of a label selector (`app=web`, `tier in (a,b)`, `!canary`).
public struct LabelRequirement: Sendable, Equatable {
    public enum Operator: Sendable, Equatable { case equals, notEquals, isIn, notIn, exists, doesNotExist }
    public var key: String
    public var op: Operator
    public var values: [String]

    public func matches(_ labels: [String: String]) -> Bool {
        let value = labels[key]
        switch op {
        case .equals, .isIn: return value.map(values.contains) ?? false
        case .notEquals, .notIn: return value.map { !values.contains($0) } ?? true
        case .exists: return value != nil
        case .doesNotExist: return value == nil
        }
    }

    /// The apiserver's string form (`labels.Selector.String()`).
    public var rendered: String {
        switch op {
        case .equals: return "\(key)=\(values.first ?? "")"
        case .notEquals: return "\(key)!=\(values.first ?? "")"
        case .isIn: return "\(key) in (\(values.sorted().joined(separator: ",")))"
        case .notIn: return "\(key) notin (\(values.sorted().joined(separator: ",")))"
        case .exists: return key
        case .doesNotExist: return "!\(key)"
        }
    }
}

/// A parsed label selector: all requirements must hold. Empty matches everything.
public struct LabelQuery: Sendable, Equatable {
    public var requirements: [LabelRequirement]

    public init(requirements: [LabelRequirement] = []) { self.requirements = requirements }

    public func matches(_ labels: [String: String]) -> Bool {
        requirements.allSatisfy { $0.matches(labels) }
    }

    public var rendered: String {
        requirements.sorted { $0.key < $1.key }.map(\.rendered).joined(separator: ",")
    }

    /// Parses the `?labelSelector=` syntax: `a=b,c!=d,e in (x,y),f notin (z),g,!h`.
    public static func parse(_ text: String) throws(KubeAPIError) -> LabelQuery {
        var reqs: [LabelRequirement] = []
        for term in splitTopLevel(text) {
            let t = term.trimmingCharacters(in: .whitespaces)
            if t.isEmpty { continue }
            reqs.append(try parseTerm(t))
        }
        return LabelQuery(requirements: reqs)
    }

    private static func splitTopLevel(_ text: String) -> [String] {
        var parts: [String] = []
        var depth = 0
        var current = ""
        for ch in text {
            if ch == "(" { depth += 1 }
            if ch == ")" { depth -= 1 }
            if ch == "," && depth == 0 { parts.append(current); current = "" } else { current.append(ch) }
        }
        parts.append(current)
        return parts
    }

    private static func parseTerm(_ t: String) throws(KubeAPIError) -> LabelRequirement {
        if t.hasPrefix("!") {
            return LabelRequirement(
                key: String(t.dropFirst()).trimmingCharacters(in: .whitespaces), op: .doesNotExist, values: [])
        }
        for (token, op) in [("!=", LabelRequirement.Operator.notEquals), ("==", .equals), ("=", .equals)] {
            if let r = t.range(of: token) {
                let key = t[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                let value = t[r.upperBound...].trimmingCharacters(in: .whitespaces)
                guard !key.isEmpty else {
                    throw KubeAPIError.badRequest("unable to parse requirement: found '\(token)', expected: identifier")
                }
                return LabelRequirement(key: key, op: op, values: [value])
            }
        }
        for (token, op) in [(" notin ", LabelRequirement.Operator.notIn), (" in ", .isIn)] {
            if let r = t.range(of: token) {
                let key = t[..<r.lowerBound].trimmingCharacters(in: .whitespaces)
                var rest = t[r.upperBound...].trimmingCharacters(in: .whitespaces)
                guard rest.hasPrefix("("), rest.hasSuffix(")") else {
                    throw KubeAPIError.badRequest("unable to parse requirement: found '\(rest)', expected: '('")
                }
                rest = String(rest.dropFirst().dropLast())
                let values = rest.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                    !$0.isEmpty
                }
                return LabelRequirement(key: key, op: op, values: values)
            }
        }
        guard !t.contains(" ") else { throw KubeAPIError.badRequest("unable to parse requirement: \(t)") }
        return LabelRequirement(key: t, op: .exists, values: [])
    }

    /// Builds from a `metav1.LabelSelector` object (matchLabels + matchExpressions).
    /// A nil selector matches everything (as webhook selectors do).
    public static func from(selector: JSONValue?) throws(KubeAPIError) -> LabelQuery {
        guard let selector, case .object = selector else { return LabelQuery() }
        var reqs: [LabelRequirement] = []
        for (k, v) in selector["matchLabels"]?.objectValue ?? [:] {
            reqs.append(LabelRequirement(key: k, op: .equals, values: [v.stringValue ?? ""]))
        }
        for expr in selector["matchExpressions"]?.arrayValue ?? [] {
            let key = expr["key"]?.stringValue ?? ""
            let values = (expr["values"]?.arrayValue ?? []).compactMap(\.stringValue)
            switch expr["operator"]?.stringValue ?? "" {
            case "In": reqs.append(LabelRequirement(key: key, op: .isIn, values: values))
            case "NotIn": reqs.append(LabelRequirement(key: key, op: .notIn, values: values))
            case "Exists": reqs.append(LabelRequirement(key: key, op: .exists, values: []))
            case "DoesNotExist": reqs.append(LabelRequirement(key: key, op: .doesNotExist, values: []))
            case let other: throw KubeAPIError.badRequest("\"\(other)\" is not a valid label selector operator")
            }
        }
        return LabelQuery(requirements: reqs)
    }

    /// Builds from a ReplicationController-style `selector` map.
    public static func from(map: [String: JSONValue]) -> LabelQuery {
        LabelQuery(
            requirements: map.map { LabelRequirement(key: $0.key, op: .equals, values: [$0.value.stringValue ?? ""]) })
    }
}

/// A `?fieldSelector=` of `path=value` / `path!=value` terms over dotted object paths
/// (`metadata.name`, `metadata.namespace`, `status.phase`, `spec.nodeName`, ...).
public struct FieldQuery: Sendable, Equatable {
    public var terms: [(path: [String], value: String, negated: Bool)]

    public static func == (a: FieldQuery, b: FieldQuery) -> Bool {
        a.terms.map { "\($0.path)\($0.value)\($0.negated)" } == b.terms.map { "\($0.path)\($0.value)\($0.negated)" }
    }

    public static func parse(_ text: String) throws(KubeAPIError) -> FieldQuery {
        var terms: [(path: [String], value: String, negated: Bool)] = []
        for raw in text.split(separator: ",") {
            let t = String(raw)
            let negated = t.contains("!=")
            let token = negated ? "!=" : (t.contains("==") ? "==" : "=")
            guard let r = t.range(of: token) else {
                throw KubeAPIError.badRequest("invalid selector: '\(t)'; can't understand '\(t)'")
            }
            let path = t[..<r.lowerBound].split(separator: ".").map(String.init)
            terms.append((path, String(t[r.upperBound...]), negated))
        }
        return FieldQuery(terms: terms)
    }

    public func matches(_ object: JSONValue) -> Bool {
        terms.allSatisfy { term in
            var v: JSONValue? = object
            for k in term.path { v = v?[k] }
            let s: String
            switch v {
            case .string(let x): s = x
            case .int(let i): s = String(i)
            case .bool(let b): s = String(b)
            default: s = ""
            }
            return term.negated ? s != term.value : s == term.value
        }
    }
}

extension JSONValue {
    /// Sets a value at a path of object keys, creating intermediate objects.
    mutating func set(_ path: [String], _ value: JSONValue?) {
        guard let first = path.first else { if let value { self = value }; return }
        var obj = objectValue ?? [:]
        if path.count == 1 {
            obj[first] = value
        } else {
            var child = obj[first] ?? .object([:])
            if child.objectValue == nil { child = .object([:]) }
            child.set(Array(path.dropFirst()), value)
            obj[first] = child
        }
        self = .object(obj)
    }
}
