import Foundation
import KubeAPIMachinery

/// RFC 6902 JSON Patch (`application/json-patch+json`): add, remove, replace, move, copy, test.
public enum JSONPatch {
    public static func apply(_ patch: JSONValue, to document: JSONValue) throws(KubeAPIError) -> JSONValue {
        guard let ops = patch.arrayValue else {
            throw KubeAPIError.badRequest("json patch must be an array of operations")
        }
        var doc = document
        for op in ops {
            guard let kind = op["op"]?.stringValue, let path = op["path"]?.stringValue else {
                throw KubeAPIError.badRequest(
                    "json patch operation needs \"op\" and \"path\": \(String(decoding: op.serialized(), as: UTF8.self))"
                )
            }
            let pointer = try parsePointer(path)
            switch kind {
            case "add":
                doc = try add(doc, pointer, try value(op))
            case "remove":
                doc = try remove(doc, pointer)
            case "replace":
                _ = try get(doc, pointer)
                doc = try add(try remove(doc, pointer), pointer, try value(op))
            case "move":
                let from = try parsePointer(op["from"]?.stringValue ?? "")
                let v = try get(doc, from)
                doc = try add(try remove(doc, from), pointer, v)
            case "copy":
                let from = try parsePointer(op["from"]?.stringValue ?? "")
                doc = try add(doc, pointer, try get(doc, from))
            case "test":
                guard try get(doc, pointer) == (try value(op)) else {
                    throw KubeAPIError(
                        code: 422, reason: "Invalid",
                        message:
                            "the server rejected our request due to an error in our request: testing value \(path) failed"
                    )
                }
            default:
                throw KubeAPIError.badRequest("Unexpected kind: \(kind)")
            }
        }
        return doc
    }

    private static func value(_ op: JSONValue) throws(KubeAPIError) -> JSONValue {
        guard let v = op["value"] else {
            throw KubeAPIError.badRequest("json patch operation \"\(op["op"]?.stringValue ?? "")\" needs a value")
        }
        return v
    }

    static func parsePointer(_ path: String) throws(KubeAPIError) -> [String] {
        if path.isEmpty { return [] }
        guard path.hasPrefix("/") else { throw KubeAPIError.badRequest("JSON pointer must start with '/': \(path)") }
        return path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
    }

    static func get(_ doc: JSONValue, _ pointer: [String]) throws(KubeAPIError) -> JSONValue {
        var current = doc
        for token in pointer {
            switch current {
            case .object(let o):
                guard let next = o[token] else { throw missing(pointer) }
                current = next
            case .array(let a):
                guard let i = Int(token), a.indices.contains(i) else { throw missing(pointer) }
                current = a[i]
            default:
                throw missing(pointer)
            }
        }
        return current
    }

    private static func missing(_ pointer: [String]) -> KubeAPIError {
        KubeAPIError(
            code: 422, reason: "Invalid",
            message:
                "the server rejected our request due to an error in our request: doc is missing path: \"/\(pointer.joined(separator: "/"))\""
        )
    }

    static func add(_ doc: JSONValue, _ pointer: [String], _ value: JSONValue) throws(KubeAPIError) -> JSONValue {
        guard let token = pointer.first else { return value }
        let rest = Array(pointer.dropFirst())
        switch doc {
        case .object(var o):
            if rest.isEmpty {
                o[token] = value
            } else {
                guard let child = o[token] else { throw missing(pointer) }
                o[token] = try add(child, rest, value)
            }
            return .object(o)
        case .array(var a):
            if rest.isEmpty {
                if token == "-" { a.append(value); return .array(a) }
                guard let i = Int(token), i >= 0, i <= a.count else { throw missing(pointer) }
                a.insert(value, at: i)
            } else {
                guard let i = Int(token), a.indices.contains(i) else { throw missing(pointer) }
                a[i] = try add(a[i], rest, value)
            }
            return .array(a)
        default:
            throw missing(pointer)
        }
    }

    static func remove(_ doc: JSONValue, _ pointer: [String]) throws(KubeAPIError) -> JSONValue {
        guard let token = pointer.first else { throw missing(pointer) }
        let rest = Array(pointer.dropFirst())
        switch doc {
        case .object(var o):
            guard let child = o[token] else { throw missing(pointer) }
            o[token] = rest.isEmpty ? nil : try remove(child, rest)
            return .object(o)
        case .array(var a):
            guard let i = Int(token), a.indices.contains(i) else { throw missing(pointer) }
            if rest.isEmpty { a.remove(at: i) } else { a[i] = try remove(a[i], rest) }
            return .array(a)
        default:
            throw missing(pointer)
        }
    }
}
