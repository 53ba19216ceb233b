import ArgumentParser
import Foundation
import SingletonCore

/// `singleton-webhook review FILE|-`: decide one AdmissionReview offline.
struct ReviewCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "review",
        abstract: "Decide one AdmissionReview offline and print the response AdmissionReview.",
        discussion: """
            Reads an admission.k8s.io/v1 AdmissionReview (as the API server would POST it) from
            FILE, or from standard input when FILE is '-', decides it exactly as the running
            webhook would, and prints the response AdmissionReview as JSON.

            Scale and HorizontalPodAutoscaler requests are judged against their parent workload,
            which the server reads from its cache. Offline, give it with --parent (a workload
            manifest in JSON); without one the parent counts as unverifiable and
            --on-lookup-failure decides.

            Exit status: 0 allowed, 1 denied, 2 unreadable input or usage error.

            Examples:
              singleton-webhook review examples/reviews/scale-up-denied.json --parent examples/reviews/parent-web.json
              kubectl ... | singleton-webhook review -
            """
    )

    @Argument(help: "AdmissionReview JSON file, or '-' for standard input.")
    var file: String

    @Option(help: "Parent workload (JSON) to judge scale and HPA requests against.")
    var parent: String?

    @Option(help: "When the parent cannot be verified: allow (with a warning) or deny.")
    var onLookupFailure: UnverifiedParentPolicy = .allow

    @Option(help: "The cluster's enforcement, as the webhook's --enforcement: deny, or warn (allowed with a warning).")
    var enforcement: Enforcement = .deny

    func run() throws {
        let body = try read(file)
        var parentMeta: ObjectMeta? = nil
        if let parent {
            do {
                parentMeta = try Workload.decode(read(parent)).metadata
            } catch {
                throw ValidationError("--parent \(parent): \(error)")
            }
        }
        let policy = SingletonPolicy(unverifiedParent: onLookupFailure, enforcement: enforcement)
        let outcome = policy.review(body) { ref in
            guard let meta = parentMeta else { return .unavailable("no --parent given") }
            guard meta.name == ref.name, meta.namespace == nil || meta.namespace == ref.namespace else {
                return .notFound
            }
            return .found(meta)
        }
        FileHandle.standardOutput.write(pretty(outcome.body))
        if let error = outcome.decodeError {
            FileHandle.standardError.write(Data("singleton-webhook review: \(error.message)\n".utf8))
            throw ExitCode(2)
        }
        if !outcome.response.allowed { throw ExitCode(1) }
    }

    private func read(_ path: String) throws -> Data {
        if path == "-" { return FileHandle.standardInput.readDataToEndOfFile() }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ValidationError("cannot read \(path): no such file or not readable")
        }
        return data
    }

    private func pretty(_ data: Data) -> Data {
        guard let obj = try? JSONSerialization.jsonObject(with: data),
            let out = try? JSONSerialization.data(
                withJSONObject: obj, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        else { return data }
        return out + Data("\n".utf8)
    }
}
