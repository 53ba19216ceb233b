import Foundation
import KubeAPIMachinery
import SingletonCore

/// One Kubernetes object read from a manifest, with where it came from, so every finding
/// can point at a file and a document the user can open.
public struct ManifestObject: Sendable, Equatable {
    /// The file path as given (or found under a directory), `stdin` for `-`.
    public var file: String
    /// 1-based index of the YAML document in the file.
    public var document: Int
    /// 1-based index in a `List`'s `items` (counted like documents), when the object came from a List.
    public var item: Int?
    public var object: JSONValue

    public init(file: String, document: Int, item: Int? = nil, object: JSONValue) {
        self.file = file
        self.document = document
        self.item = item
        self.object = object
    }

    public var apiVersion: String { object["apiVersion"]?.stringValue ?? "" }
    public var kind: String { object["kind"]?.stringValue ?? "" }
    public var name: String { object.name }
    /// The namespace written in the manifest; "" when left to the apply-time default.
    public var namespace: String { object.namespace }

    /// `file document 2` or `file document 2 item 1`: where to look.
    public var location: String {
        var s = "\(file) document \(document)"
        if let item { s += " item \(item)" }
        return s
    }
}

/// An input that could not be read or parsed: lint exits 2 for these.
public struct UnreadableInput: Error, Sendable, Equatable {
    public var file: String
    public var document: Int?
    public var message: String
}

/// The result of reading manifest inputs.
public struct ManifestSet: Sendable, Equatable {
    public var objects: [ManifestObject] = []
    public var unreadable: [UnreadableInput] = []
    public var files: [String] = []
    public var documentCount = 0
    /// What the user should know about how an input was read (a kustomization read as
    /// plain files, a Helm template), printed on stderr.
    public var notes: [String] = []

    public init() {}
}

/// Splits YAML text into objects (pure: text in, objects out).
public enum ManifestParser {
    /// Parses one file's text. Empty documents are counted but yield nothing; `List`
    /// kinds (`v1 List`, `DeploymentList`, ...) are flattened into their items.
    public static func parse(_ text: String, file: String, into set: inout ManifestSet) {
        set.files.append(file)
        if isHelmTemplate(text) {
            let source = file == "stdin" ? "the input" : file
            set.unreadable.append(
                UnreadableInput(
                    file: file, document: nil,
                    message:
                        "\(source) is a Helm template ({{ ... }}), not a manifest; render it first: helm template RELEASE CHART | kubectl singleton lint -f -"
                ))
            return
        }
        let documents: [JSONValue]
        do {
            documents = try YAMLBridge.documents(text)
        } catch {
            set.unreadable.append(UnreadableInput(file: file, document: nil, message: "not valid YAML: \(error)"))
            return
        }
        for (offset, doc) in documents.enumerated() {
            let index = offset + 1
            set.documentCount += 1
            switch doc {
            case .null:
                continue
            case .object:
                if let items = doc["items"]?.arrayValue, (doc["kind"]?.stringValue ?? "").hasSuffix("List") {
                    for (i, item) in items.enumerated() {
                        guard case .object = item else {
                            set.unreadable.append(
                                UnreadableInput(
                                    file: file, document: index, message: "item \(i + 1) of the List is not an object"))
                            continue
                        }
                        set.objects.append(ManifestObject(file: file, document: index, item: i + 1, object: item))
                    }
                } else {
                    set.objects.append(ManifestObject(file: file, document: index, object: doc))
                }
            default:
                set.unreadable.append(
                    UnreadableInput(
                        file: file, document: index, message: "the document is not a Kubernetes object (a YAML mapping)"
                    ))
            }
        }
    }
}

extension ManifestParser {
    /// Go template actions outside comments: `{{ .Values.x }}`, `{{- include ... }}`.
    static func isHelmTemplate(_ text: String) -> Bool {
        text.split(separator: "\n").contains { line in
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            guard !trimmed.hasPrefix("#"), let open = trimmed.range(of: "{{") else { return false }
            return trimmed[open.upperBound...].contains("}}")
        }
    }
}

/// Reads `-f` inputs from disk: files, directories (recursively, `.yaml`, `.yml` and
/// `.json`, in sorted order, as kustomize-style trees are laid out) and `-` for stdin.
public struct ManifestReader: Sendable {
    var readStandardInput: @Sendable () -> Data

    public init(readStandardInput: @escaping @Sendable () -> Data) {
        self.readStandardInput = readStandardInput
    }

    /// The names kustomize gives its file.
    static let kustomizationFiles = ["kustomization.yaml", "kustomization.yml", "Kustomization"]

    /// True when `directory` is a kustomization root.
    static func isKustomization(_ directory: String) -> Bool {
        kustomizationFiles.contains {
            FileManager.default.fileExists(atPath: (directory as NSString).appendingPathComponent($0))
        }
    }

    /// Reads every input; unreadable ones are collected, never thrown, so one bad file does not hide the findings in the rest.
    /// `-f a,b` is two inputs, as in kubectl.
    public func read(_ inputs: [String]) -> ManifestSet {
        var set = ManifestSet()
        for input in inputs.flatMap({ $0.split(separator: ",").map(String.init) }) {
            if input == "-" {
                parse(readStandardInput(), file: "stdin", into: &set)
                continue
            }
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: input, isDirectory: &isDirectory) else {
                set.unreadable.append(UnreadableInput(file: input, document: nil, message: "no such file or directory"))
                continue
            }
            let files = isDirectory.boolValue ? manifestFiles(under: input) : [input]
            if !isDirectory.boolValue, Self.kustomizationFiles.contains((input as NSString).lastPathComponent) {
                let root = (input as NSString).deletingLastPathComponent
                set.notes.append(
                    "\(input) is a kustomization, not a manifest: to lint what kubectl apply -k would apply, run: kubectl singleton lint -k \(root.isEmpty ? "." : root)"
                )
            }
            if isDirectory.boolValue {
                for root in kustomizationRoots(under: input) {
                    set.notes.append(
                        "\(root) holds a kustomization: -f reads its files as plain documents, without its patches or generated objects. To lint what kubectl apply -k would apply, run: kubectl singleton lint -k \(root)"
                    )
                }
            }
            if isDirectory.boolValue, files.isEmpty {
                set.unreadable.append(
                    UnreadableInput(
                        file: input, document: nil, message: "the directory holds no .yaml, .yml or .json file"))
            }
            for file in files {
                guard let data = FileManager.default.contents(atPath: file) else {
                    set.unreadable.append(
                        UnreadableInput(file: file, document: nil, message: "cannot read the file (permissions?)"))
                    continue
                }
                parse(data, file: file, into: &set)
            }
        }
        return set
    }

    private func parse(_ data: Data, file: String, into set: inout ManifestSet) {
        guard let text = String(data: data, encoding: .utf8) else {
            set.files.append(file)
            set.unreadable.append(UnreadableInput(file: file, document: nil, message: "not UTF-8 text"))
            return
        }
        ManifestParser.parse(text, file: file, into: &set)
    }

    /// Renders kustomization directories with `render` (`kubectl kustomize DIR`) and reads the
    /// result; a failed render is an unreadable input carrying kustomize's message.
    public func readKustomizations(
        _ directories: [String], render: (String) -> Result<String, UnreadableInput>, into set: inout ManifestSet
    ) {
        for directory in directories {
            switch render(directory) {
            case .success(let text):
                ManifestParser.parse(text, file: directory, into: &set)
            case .failure(let failure):
                set.files.append(directory)
                set.unreadable.append(failure)
            }
        }
    }

    /// `directory` and its subdirectories that are kustomization roots.
    func kustomizationRoots(under directory: String) -> [String] {
        var roots = Self.isKustomization(directory) ? [directory] : []
        let base = URL(fileURLWithPath: directory)
        if let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isDirectoryKey]) {
            for case let url as URL in enumerator
            where (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true {
                if Self.isKustomization(url.path) {
                    let relative = String(url.path.dropFirst(base.path.count))
                    roots.append(directory.hasSuffix("/") ? directory + relative.dropFirst() : directory + relative)
                }
            }
        }
        return roots.sorted()
    }

    func manifestFiles(under directory: String) -> [String] {
        let base = URL(fileURLWithPath: directory)
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey])
        else {
            return []
        }
        var files: [String] = []
        for case let url as URL in enumerator {
            let ext = url.pathExtension.lowercased()
            guard ["yaml", "yml", "json"].contains(ext) else { continue }
            let isFile = (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) ?? false
            guard isFile else { continue }
            let relative =
                url.path.hasPrefix(base.path)
                ? String(url.path.dropFirst(base.path.count)) : "/" + url.lastPathComponent
            files.append(directory.hasSuffix("/") ? directory + relative.dropFirst() : directory + relative)
        }
        return files.sorted()
    }
}
