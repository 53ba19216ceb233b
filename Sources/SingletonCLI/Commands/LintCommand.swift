import ArgumentParser
import Foundation

/// `lint`: offline check of GitOps manifests against the singleton contract.
struct LintCommand: ParsableCommand, PluginCommand {
    static let configuration = CommandConfiguration(
        commandName: "lint",
        abstract: "Check manifests offline for singletons that would be denied.",
        discussion: """
            Reads YAML or JSON manifests (multi-document files, Lists, directories searched
            recursively, - for stdin; -f a.yaml,b.yaml as in kubectl) without contacting a
            cluster. -k DIR lints what kubectl apply -k DIR would apply: the directory is
            rendered with `kubectl kustomize`. -f on a kustomization directory reads its files as
            they are (no patches) and says so; a Helm template is refused with the command that
            renders it. Every workload annotated
            kube-singleton.dev/mode is judged by the same rules as the webhook: replicas above
            1, a surging rollout strategy for at-most-one Deployments, an unknown mode, and
            HorizontalPodAutoscalers in the same set that could scale a singleton past one.
            A missing PodDisruptionBudget or headless Service is reported as a warning.
            Each finding names the file (stdin for -) and the document it comes from, and the
            item of a List, each counted from 1.

            Examples:
              kubectl singleton lint -f deploy.yaml
              kubectl singleton lint -f overlays/prod/ -o json
              kubectl singleton lint -k overlays/prod
              helm template web ./chart | kubectl singleton lint -f -

            Exit codes: 0 no violations (warnings allowed); 1 violations; 2 an input could
            not be read or parsed.
            """
    )

    @Option(
        name: [.short, .customLong("filename")],
        help: ArgumentHelp("A file, a directory or - (stdin); repeatable, or comma-separated.", valueName: "file|dir|-")
    )
    var filename: [String] = []

    @Option(
        name: [.short, .customLong("kustomize")],
        help: ArgumentHelp("A kustomization directory, rendered with kubectl kustomize; repeatable.", valueName: "dir"))
    var kustomize: [String] = []

    @Flag(
        name: [.customShort("R"), .customLong("recursive")],
        help: "Read directories recursively (always done; accepted as kubectl spells it).")
    var recursive = false

    static let outputs = ["text", "json"]

    @Option(name: [.short, .customLong("output")], help: OutputFormat.help(outputs, default: "text"))
    var output: OutputFormat = .text

    func validate() throws {
        if filename.isEmpty && kustomize.isEmpty {
            throw ValidationError("lint needs at least one -f FILE, -f DIR, -f - or -k DIR")
        }
        try OutputFormat.check(output, accepted: Self.outputs, command: "lint")
    }

    func execute(in env: CLIEnvironment) async throws -> Int32 {
        let reader = ManifestReader(readStandardInput: env.readStandardInput)
        var set = reader.read(filename)
        reader.readKustomizations(kustomize, render: { Self.render(kustomization: $0, env: env) }, into: &set)
        for note in set.notes { env.err.line("note: \(note)") }
        let report = LintReport(set: set, findings: Linter().lint(set.objects))
        if output == .json {
            env.out.write(report.renderJSON())
        } else {
            let (out, err) = report.renderText()
            env.err.write(err)
            env.out.write(out)
        }
        return report.exitCode
    }

    /// `kubectl kustomize DIR`, as `kubectl apply -k DIR` renders it (kubectl from PATH).
    static func render(kustomization directory: String, env: CLIEnvironment) -> Result<String, UnreadableInput> {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            return .failure(
                UnreadableInput(
                    file: directory, document: nil, message: "-k needs a directory holding a kustomization.yaml"))
        }
        let paths = (env.variables["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        guard
            let kubectl = paths.map({ "\($0)/kubectl" }).first(where: {
                FileManager.default.isExecutableFile(atPath: $0)
            })
        else {
            return .failure(
                UnreadableInput(
                    file: directory, document: nil, message: "-k runs kubectl kustomize, and kubectl is not on PATH"))
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: kubectl)
        process.arguments = ["kustomize", directory]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        do { try process.run() } catch {
            return .failure(
                UnreadableInput(file: directory, document: nil, message: "cannot run \(kubectl) kustomize: \(error)"))
        }
        // Read both pipes before waiting, so a large render cannot fill a pipe and stall.
        let errData = Data.readingInBackground(err.fileHandleForReading)
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = String(decoding: errData(), as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            return .failure(
                UnreadableInput(file: directory, document: nil, message: "kubectl kustomize failed: \(message)"))
        }
        return .success(text)
    }
}

extension Data {
    /// Starts reading `handle` to its end on another thread; the closure waits for the result.
    static func readingInBackground(_ handle: FileHandle) -> @Sendable () -> Data {
        final class Box: @unchecked Sendable { var data = Data() }
        let box = Box()
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread {
            box.data = handle.readDataToEndOfFile()
            done.signal()
        }
        return {
            done.wait()
            return box.data
        }
    }
}
