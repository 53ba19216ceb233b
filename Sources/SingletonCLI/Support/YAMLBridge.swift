import Foundation
import KubeAPIMachinery
import SingletonCore
import Yams

/// Converts between YAML text and `JSONValue`, the lossless form every command works on.
///
/// Parsing goes through Yams' node tree rather than `Any`, so a scalar keeps the type
/// YAML resolved for it (an unquoted `1` is an int, `"1"` a string) and no field is lost.
/// Emitting sorts keys and quotes strings that would read back as another type, so
/// `-o yaml` output is stable and round-trips.
public enum YAMLBridge {
    /// Why a YAML document could not be read.
    public struct ParseError: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// All documents of a (multi-document) YAML stream; empty documents are skipped.
    public static func documents(_ text: String) throws(ParseError) -> [JSONValue] {
        do {
            var result: [JSONValue] = []
            // The sequence stops at a parse error and keeps it in `error`: check it, or a
            // broken document would read as the end of the stream.
            var sequence = try Yams.compose_all(yaml: text)
            while let node = sequence.next() {
                result.append(try value(node))
            }
            if let error = sequence.error { throw ParseError(description: "\(error)") }
            return result
        } catch let error as ParseError {
            throw error
        } catch {
            throw ParseError(description: "\(error)")
        }
    }

    static func value(_ node: Node) throws -> JSONValue {
        switch node {
        case .scalar(let scalar):
            return scalarValue(scalar, node: node)
        case .sequence(let seq):
            return .array(try seq.map(value))
        case .mapping(let map):
            var object: [String: JSONValue] = [:]
            for (k, v) in map {
                guard let key = k.scalar?.string else {
                    throw ParseError(description: "a mapping key is not a plain scalar")
                }
                object[key] = try value(v)
            }
            return .object(object)
        case .alias:
            throw ParseError(description: "YAML aliases are not supported in Kubernetes manifests")
        }
    }

    static func scalarValue(_ scalar: Node.Scalar, node: Node) -> JSONValue {
        switch node.tag.rawValue {
        case Tag.Name.null.rawValue: return .null
        case Tag.Name.bool.rawValue: return node.bool.map(JSONValue.bool) ?? .string(scalar.string)
        case Tag.Name.int.rawValue: return node.int.map { .int(Int64($0)) } ?? .string(scalar.string)
        case Tag.Name.float.rawValue: return node.float.map(JSONValue.double) ?? .string(scalar.string)
        default: return .string(scalar.string)
        }
    }

    /// YAML text for a value: keys sorted, like `kubectl get -o yaml`.
    public static func emit(_ value: JSONValue) -> String {
        let node = self.node(value)
        return
            (try? Yams.serialize(
                node: node, indent: 2, width: -1, allowUnicode: true, sequenceStyle: .block, mappingStyle: .block))
            ?? "null\n"
    }

    /// Several objects as one multi-document stream.
    public static func emitDocuments(_ values: [JSONValue]) -> String {
        values.map { "---\n" + emit($0) }.joined()
    }

    static func node(_ value: JSONValue) -> Node {
        switch value {
        case .null: return Node("null", Tag(.null))
        case .bool(let b): return Node(b ? "true" : "false", Tag(.bool))
        case .int(let i): return Node(String(i), Tag(.int))
        case .double(let d): return Node(String(d), Tag(.float))
        case .string(let s):
            // A plain scalar that would read back as a number, bool, null or timestamp is
            // quoted, as are YAML 1.1 booleans (kubectl's reader still treats `yes` as true).
            let plain = Resolver.default.resolveTag(of: Node(s))
            let yaml11 = ["y", "n", "yes", "no", "on", "off"].contains(s.lowercased())
            return Node(s, Tag(.str), plain != .str || yaml11 ? .singleQuoted : .any)
        case .array(let a): return Node(a.map(node), Tag(.seq))
        case .object(let o):
            let pairs = o.keys.sorted().map { (Node($0, Tag(.str)), node(o[$0] ?? .null)) }
            return Node(pairs, Tag(.map))
        }
    }
}
