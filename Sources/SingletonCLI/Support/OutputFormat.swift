import ArgumentParser
import Foundation
import KubeAPIMachinery
import SingletonCore

/// `-o` values. Each command says which it accepts (its `outputs`, which its help, its
/// validation and completion all read); the table is the default.
public enum OutputFormat: Sendable, Equatable, ExpressibleByArgument {
    case json, yaml, wide, text, name
    /// Any other word: kept so that the command's own check names what it does accept.
    case other(String)
    /// The template as typed; `check` parses it, so a bad one is a usage error.
    case jsonpath(String)

    public init?(argument: String) {
        switch argument {
        case "json": self = .json
        case "yaml": self = .yaml
        case "wide": self = .wide
        case "text": self = .text
        case "name": self = .name
        default:
            if argument.hasPrefix("jsonpath=") {
                self = .jsonpath(String(argument.dropFirst("jsonpath=".count)))
            } else {
                self = .other(argument)
            }
        }
    }

    /// The name a command's `outputs` lists: `json`, ..., `jsonpath`.
    public var keyword: String {
        switch self {
        case .json: return "json"
        case .yaml: return "yaml"
        case .wide: return "wide"
        case .text: return "text"
        case .name: return "name"
        case .jsonpath: return "jsonpath"
        case .other(let word): return word
        }
    }

    /// Renders an object (or a List of them) in a machine-readable form.
    public func render(_ value: JSONValue) -> String {
        switch self {
        case .yaml: return YAMLBridge.emit(value)
        case .jsonpath(let template): return (try? JSONPathTemplate(template))?.render(value) ?? ""
        default: return prettyJSON(value)
        }
    }

    /// `--output` help naming exactly the values `accepted` (keywords; `jsonpath` shows its template).
    static func help(_ accepted: [String], default text: String? = nil) -> ArgumentHelp {
        ArgumentHelp(
            "Output format: \(spelled(accepted))\(text.map { " (default: \($0))" } ?? "").", valueName: "format")
    }

    static func spelled(_ accepted: [String]) -> String {
        let words = accepted.map { $0 == "jsonpath" ? "jsonpath=TEMPLATE" : $0 }
        return words.count > 1 ? words.dropLast().joined(separator: ", ") + " or " + (words.last ?? "") : words.joined()
    }

    /// Refuses a format the command does not print, naming the ones it does.
    static func check(_ output: OutputFormat?, accepted: [String], command: String) throws {
        guard let output else { return }
        if accepted.contains(output.keyword) {
            if case .jsonpath(let template) = output {
                do { _ = try JSONPathTemplate(template) } catch {
                    throw ValidationError("error parsing jsonpath \(template): \(error)")
                }
            }
            return
        }
        throw ValidationError("\(command) prints -o \(spelled(accepted)), not \(output.keyword)")
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

    /// kubectl's spellings: `client`, `server`, `none`, and the old booleans (`true` is client).
    public init?(argument: String) {
        switch argument {
        case "true": self = .client
        case "false": self = .none
        default: self.init(rawValue: argument)
        }
    }

    /// kubectl's meaning: a bare `--dry-run` is client; a value needs `=`.
    static let help = ArgumentHelp(
        "client (print only; --dry-run alone means client), server (sent with dryRun=All, judged by admission) or none.",
        valueName: "none|client|server")

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
