import ArgumentParser
import Foundation
import SingletonCore

/// `-o` values. Each command says which it accepts; the table is the default.
public enum OutputFormat: String, Sendable, CaseIterable, ExpressibleByArgument {
    case json, yaml, wide, text

    /// Renders an object (or a List of them) in a machine-readable form.
    public func render(_ value: JSONValue) -> String {
        switch self {
        case .yaml: return YAMLBridge.emit(value)
        default: return prettyJSON(value)
        }
    }
}

/// Indented JSON with sorted keys, empty collections printed as `[]` and `{}` (Foundation
/// would spread them over blank lines).
public func prettyJSON(_ value: JSONValue) -> String {
    let text = String(decoding: value.serialized(pretty: true), as: UTF8.self)
    var lines: [Substring] = []
    let raw = text.split(separator: "\n", omittingEmptySubsequences: false)
    var i = 0
    while i < raw.count {
        let line = raw[i]
        if (line.hasSuffix("[") || line.hasSuffix("{")), i + 2 < raw.count, raw[i + 1].allSatisfy(\.isWhitespace) {
            let closing = raw[i + 2].trimmingCharacters(in: .whitespaces)
            if closing.hasPrefix("]") || closing.hasPrefix("}") {
                lines.append(Substring(line + closing))
                i += 3
                continue
            }
        }
        lines.append(line)
        i += 1
    }
    return lines.joined(separator: "\n") + "\n"
}

/// `--dry-run` as kubectl spells it.
public enum DryRunMode: String, Sendable, CaseIterable, ExpressibleByArgument {
    case none, client, server

    /// The suffix kubectl prints after an action: ` (dry run)` / ` (server dry run)`.
    public var suffix: String {
        switch self {
        case .none: return ""
        case .client: return " (dry run)"
        case .server: return " (server dry run)"
        }
    }
}

/// Wraps objects into a `v1 List`, as `kubectl get -o json` prints several objects.
public func listDocument(_ items: [JSONValue]) -> JSONValue {
    ["apiVersion": "v1", "kind": "List", "metadata": ["resourceVersion": ""], "items": .array(items)]
}
