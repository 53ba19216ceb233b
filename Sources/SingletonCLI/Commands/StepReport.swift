import KubeAPIMachinery
import SingletonCore

/// Reports a multi-step command one step at a time, so a partial failure (annotation set,
/// PDB refused by RBAC) reads as exactly that, and tells the user that rerunning finishes.
final class StepReport {
    private let env: CLIEnvironment
    /// With `-o json|yaml` stdout is for the document only; progress goes to stderr.
    private let quiet: Bool
    private(set) var failures: [String] = []
    /// The failed steps a rerun can finish (a missing workload is not one of them).
    private var retryable: [String] = []

    init(env: CLIEnvironment, quiet: Bool) {
        self.env = env
        self.quiet = quiet
    }

    func done(_ message: String) {
        if quiet { env.err.line(message) } else { env.out.line(message) }
    }

    /// kubectl prints API warnings as `Warning: ...` on stderr; so do we.
    func warn(_ warnings: [String]) {
        for w in warnings { env.err.line("Warning: \(w)") }
    }

    /// Runs one step: `body` returns the verb (`created`, `unchanged`, ...).
    func run(_ name: String, _ body: () async throws -> String) async {
        do {
            let verb = try await body()
            done("\(name) \(verb)")
        } catch {
            fail(name, error)
        }
    }

    /// Records a failed step and says why on stderr. A workload that does not exist is
    /// reported as kubectl reports it, and no rerun is suggested for it.
    func fail(_ name: String, _ error: any Error, retryable: Bool = true) {
        failures.append(name)
        if let failure = error as? KubeAPIError, failure.isNotFound {
            env.err.line(failure.description)
            return
        }
        if retryable { self.retryable.append(name) }
        if let failure = error as? KubeAPIError {
            env.err.line("error: \(name): \(failure.description)")
        } else {
            env.err.line("error: \(name): \(error)")
        }
    }

    /// 0 when every step succeeded; else 1, after saying how to finish the job: rerun the
    /// user's own command (every flag as typed), which is idempotent.
    func finish() -> Int32 {
        guard !failures.isEmpty else { return 0 }
        if !retryable.isEmpty {
            env.err.line(
                "error: \(retryable.count) of the steps failed (\(retryable.joined(separator: ", "))); fix the cause and rerun `\(Hints.rerun(env))` to finish"
            )
        }
        return 1
    }
}

/// Creates, updates or deletes the plugin's own companion objects, never anyone else's.
struct CompanionSync {
    let api: any KubeAPI
    let dryRun: DryRunMode

    /// Makes `object` exist as described. Returns the resulting object and the verb.
    func ensure(_ object: JSONValue, collection: String, ownerUID: String?) async throws -> (JSONValue, String) {
        let name = object.name
        return try await retryOnConflict {
            guard let existing = try await getIfExists(api, "\(collection)/\(name)") else {
                if dryRun == .client { return (object, "created\(dryRun.suffix)") }
                switch await Self.create(api, collection, object, dryRun) {
                case .success(let created): return (created, "created\(dryRun.suffix)")
                // Someone created it between our GET and POST: judge it on a fresh read.
                case .failure(let failure) where failure.isAlreadyExists:
                    throw KubeAPIError(code: 409, reason: "Conflict", message: failure.message)
                case .failure(let failure): throw failure
                }
            }
            guard Companions.isOurs(existing, ownerUID: ownerUID) else {
                throw CLIError(
                    "it already exists and was not created by kubectl-singleton for this workload (no \(SingletonAnnotation.managedByLabel) label or ownerReference); left alone. Delete or rename it, then rerun"
                )
            }
            guard let patch = Companions.specPatch(existing: existing, desired: object) else {
                return (existing, "unchanged")
            }
            if dryRun == .client { return (existing.applyingMergePatch(patch), "configured\(dryRun.suffix)") }
            let path = "\(collection)/\(name)"
            return (try await api.patch(path, patch, type: .merge, dryRun: dryRun), "configured\(dryRun.suffix)")
        }
    }

    static func create(
        _ api: any KubeAPI, _ collection: String, _ object: JSONValue, _ dryRun: DryRunMode
    ) async -> Result<JSONValue, KubeAPIError> {
        do {
            return .success(try await api.create(collection, object, dryRun: dryRun))
        } catch {
            return .failure(error)
        }
    }

    /// Deletes `collection/name` only when the plugin created it for `ownerUID`.
    func remove(name: String, collection: String, ownerUID: String?) async throws -> String {
        guard let existing = try await getIfExists(api, "\(collection)/\(name)") else {
            return "not found (nothing to delete)"
        }
        guard Companions.isOurs(existing, ownerUID: ownerUID) else {
            return "left alone (not created by kubectl-singleton)"
        }
        if dryRun != .client { try await api.delete("\(collection)/\(name)", dryRun: dryRun) }
        return "deleted\(dryRun.suffix)"
    }
}
