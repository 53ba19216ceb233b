import Foundation
import KubeAPIMachinery

/// The fields of an object a command reads, as a tree: `.all` keeps a value whole, `.fields`
/// keeps only the named members of an object (applied to each element of an array).
indirect enum FieldTree: Sendable {
    case all
    case fields([String: FieldTree])
}

/// Names the fields kept by `Projected`.
protocol FieldSelection {
    static var tree: FieldTree { get }
}

/// An object decoded down to the fields `Fields` names, in one pass over the bytes: the rest
/// (pod specs, managedFields, status details) is skipped, never built as JSON values. The
/// result has the same shape as the object, so code that reads `JSONValue` reads it unchanged.
struct Projected<Fields: FieldSelection>: Decodable, Sendable {
    var value: JSONValue

    init(from decoder: any Decoder) throws {
        value = try Projection.read(decoder, Fields.tree)
    }
}

/// The decoding behind `Projected`, outside the generic type so the containers it opens
/// have one concrete type (no generic metadata looked up per object).
private enum Projection {
    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    static func read(_ decoder: any Decoder, _ tree: FieldTree) throws -> JSONValue {
        guard case .fields(let fields) = tree else { return try leaf(decoder) }
        if let object = try? decoder.container(keyedBy: Key.self) {
            var out: [String: JSONValue] = [:]
            for (name, subtree) in fields {
                let key = Key(stringValue: name)
                guard object.contains(key) else { continue }
                out[name] = try read(object.superDecoder(forKey: key), subtree)
            }
            return .object(out)
        }
        if var array = try? decoder.unkeyedContainer() {
            var out: [JSONValue] = []
            while !array.isAtEnd { out.append(try read(array.superDecoder(), tree)) }
            return .array(out)
        }
        return try leaf(decoder)
    }

    /// A kept value. Most are strings or maps of strings (names, labels, selectors): tried
    /// first, since `JSONValue` tries every other type before those.
    static func leaf(_ decoder: any Decoder) throws -> JSONValue {
        let value = try decoder.singleValueContainer()
        if let string = try? value.decode(String.self) { return .string(string) }
        if let strings = try? value.decode([String: String].self) {
            return .object(strings.mapValues(JSONValue.string))
        }
        return try JSONValue(from: decoder)
    }
}

/// What `list` and `status` read of each companion kind.
enum CompanionFields {
    private static let nameAndNamespace: [String: FieldTree] = ["name": .all, "namespace": .all]

    enum Pod: FieldSelection {
        static let tree: FieldTree = .fields([
            "metadata": .fields([
                "name": .all, "namespace": .all, "labels": .all, "deletionTimestamp": .all,
                "ownerReferences": .fields(["kind": .all, "name": .all, "controller": .all]),
            ]),
            "status": .fields(["phase": .all, "conditions": .fields(["type": .all, "status": .all])]),
        ])
    }
    enum PodDisruptionBudget: FieldSelection {
        static let tree: FieldTree = .fields([
            "metadata": .fields(nameAndNamespace),
            "spec": .fields(["selector": .all, "maxUnavailable": .all, "minAvailable": .all]),
        ])
    }
    enum Service: FieldSelection {
        static let tree: FieldTree = .fields([
            "metadata": .fields(nameAndNamespace), "spec": .fields(["selector": .all, "clusterIP": .all]),
        ])
    }
    enum Autoscaler: FieldSelection {
        static let tree: FieldTree = .fields([
            "metadata": .fields(nameAndNamespace.merging(["labels": .all]) { a, _ in a }),
            "spec": .fields(["scaleTargetRef": .all, "maxReplicas": .all]),
        ])
    }
    enum Lease: FieldSelection {
        static let tree: FieldTree = .fields([
            "metadata": .fields(nameAndNamespace.merging(["labels": .all]) { a, _ in a }), "spec": .all,
        ])
    }
    enum WebhookConfiguration: FieldSelection {
        static let tree: FieldTree = .fields([
            "metadata": .fields(["name": .all, "labels": .all]), "webhooks": .fields(["name": .all]),
        ])
    }
}
