import Foundation
import KubeAPIMachinery
import SingletonCore

/// What `lint` prints and returns: findings, unreadable inputs, and the exit code.
public struct LintReport: Sendable, Equatable {
    public var findings: [LintFinding]
    public var unreadable: [UnreadableInput]
    public var files: Int
    public var documents: Int

    public init(set: ManifestSet, findings: [LintFinding]) {
        self.findings = findings
        self.unreadable = set.unreadable
        self.files = set.files.count
        self.documents = set.documentCount
    }

    public var errorCount: Int { findings.filter { $0.severity == .error }.count }
    public var warningCount: Int { findings.filter { $0.severity == .warning }.count }

    /// 2 when any input was unreadable, else 1 when any finding is an error, else 0.
    public var exitCode: Int32 {
        if !unreadable.isEmpty { return 2 }
        return errorCount > 0 ? 1 : 0
    }

    /// One line per finding: `FILE document N: SEVERITY [RULE] MESSAGE`, then a summary.
    public func renderText() -> (out: String, err: String) {
        var out = ""
        for f in findings {
            let item = f.item.map { " item \($0)" } ?? ""
            out += "\(f.file) document \(f.document)\(item): \(f.severity.rawValue) [\(f.rule)] \(f.message)\n"
        }
        var err = ""
        for u in unreadable {
            let doc = u.document.map { " document \($0)" } ?? ""
            err += "error: cannot read \(u.file)\(doc): \(u.message)\n"
        }
        out +=
            "\(plural(errorCount, "error")), \(plural(warningCount, "warning")) in \(plural(files, "file")) (\(plural(documents, "document")))"
        if !unreadable.isEmpty { out += ", \(plural(unreadable.count, "unreadable input"))" }
        out += "\n"
        return (out, err)
    }

    /// A stable JSON document for pipelines.
    public func renderJSON() -> String {
        let findingValues: [JSONValue] = findings.map { f in
            var o: [String: JSONValue] = [
                "file": .string(f.file), "document": .int(Int64(f.document)), "severity": .string(f.severity.rawValue),
                "rule": .string(f.rule), "kind": .string(f.kind), "namespace": .string(f.namespace),
                "name": .string(f.name), "message": .string(f.message),
            ]
            if let item = f.item { o["item"] = .int(Int64(item)) }
            return .object(o)
        }
        let unreadableValues: [JSONValue] = unreadable.map { u in
            var o: [String: JSONValue] = ["file": .string(u.file), "message": .string(u.message)]
            if let d = u.document { o["document"] = .int(Int64(d)) }
            return .object(o)
        }
        let doc: JSONValue = [
            "findings": .array(findingValues),
            "unreadable": .array(unreadableValues),
            "summary": [
                "errors": .int(Int64(errorCount)), "warnings": .int(Int64(warningCount)),
                "files": .int(Int64(files)), "documents": .int(Int64(documents)), "exitCode": .int(Int64(exitCode)),
            ],
        ]
        return prettyJSON(doc)
    }
}

func plural(_ n: Int, _ word: String) -> String { n == 1 ? "1 \(word)" : "\(n) \(word)s" }
