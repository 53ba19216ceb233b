import SingletonCore

/// Reports a multi-step command one step at a time, so a partial failure (annotation set,
/// PDB refused by RBAC) reads as exactly that, and tells the user that rerunning finishes.
final class StepReport {
    private let env: CLIEnvironment
    /// With `-o json|yaml` stdout is for the document only; progress goes to stderr.
    private let quiet: Bool
    private(set) var failures: [String] = []

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
        } catch let failure as APIFailure {
            failures.append(name)
            env.err.line("error: \(name): \(failure.description)")
        } catch {
            failures.append(name)
            env.err.line("error: \(name): \(error)")
        }
    }

    /// 0 when every step succeeded; else 1, after saying how to finish the job.
    func finish(rerun command: String) -> Int32 {
        guard !failures.isEmpty else { return 0 }
        env.err.line("error: \(failures.count) of the steps failed (\(failures.joined(separator: ", "))); fix the cause and rerun `\(command)` to finish")
        return 1
    }
}

/// Creates, updates or deletes the plugin's own companion objects, never anyone else's.
struct CompanionSync {
    let api: any KubeAPI
    let dryRun: DryRunMode

    /// Makes `object` exist as described. Returns the resulting object and the verb.
    func ensure(_ object: JSONValue, collection: String, ownerUID: String?) async throws -> (JSONValue, String) {
        let name = object[path: "metadata", "name"]?.stringValue ?? ""
        return try await retryingConflicts {
            let existing: JSONValue
            do {
                existing = try await api.get("\(collection)/\(name)")
            } catch let failure where failure.isNotFound {
                if dryRun == .client { return (object, "created\(dryRun.suffix)") }
                do {
                    let created = try await api.create(collection, object, dryRun: dryRun)
                    return (created, "created\(dryRun.suffix)")
                } catch let failure where failure.isAlreadyExists {
                    // Someone created it between our GET and POST: judge it on a fresh read.
                    throw APIFailure(code: 409, reason: "Conflict", message: failure.message)
                }
            }
            guard Companions.isOurs(existing, ownerUID: ownerUID) else {
                throw CLIError("it already exists and was not created by kubectl-singleton for this workload (no \(SingletonAnnotation.managedByLabel) label or ownerReference); left alone. Delete or rename it, then rerun")
            }
            guard let patch = Companions.specPatch(existing: existing, desired: object) else { return (existing, "unchanged") }
            if dryRun == .client { return (existing.applyingMergePatch(patch), "configured\(dryRun.suffix)") }
            let path = "\(collection)/\(name)"
            return (try await api.patch(path, patch, type: .merge, dryRun: dryRun), "configured\(dryRun.suffix)")
        }
    }

    /// Deletes `collection/name` only when the plugin created it for `ownerUID`.
    func remove(name: String, collection: String, ownerUID: String?) async throws -> String {
        let existing: JSONValue
        do {
            existing = try await api.get("\(collection)/\(name)")
        } catch let failure where failure.isNotFound {
            return "not found (nothing to delete)"
        }
        guard Companions.isOurs(existing, ownerUID: ownerUID) else {
            return "left alone (not created by kubectl-singleton)"
        }
        if dryRun != .client { try await api.delete("\(collection)/\(name)", dryRun: dryRun) }
        return "deleted\(dryRun.suffix)"
    }
}
