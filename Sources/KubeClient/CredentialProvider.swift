import Foundation

/// What to add to one request to authenticate it.
struct AppliedCredential: Sendable {
    var authorization: String?
    var clientCertificatePEM: Data?
    var clientKeyPEM: Data?
}

/// Produces the credential for each request: static tokens as they are, token files re-read when
/// they change, exec plugin output cached until it expires.
///
/// Why an actor: many concurrent requests share one cached credential, and an expired exec
/// credential must be refreshed by one plugin run, not one per request.
actor CredentialProvider {
    private let auth: AuthMethod
    private let runner: ExecPluginRunner
    private var cachedExec: ExecCredential?
    private var execRun: Task<ExecCredential, any Error>?
    private var tokenFileCache: (token: String, modified: Date?, size: Int)?
    /// How many times the exec plugin ran (observable by tests through `KubeClient`).
    private(set) var execRuns = 0

    init(auth: AuthMethod, environment: [String: String], keyPairCheck: ClientKeyPairCheck = .atHandshake) {
        self.auth = auth
        self.runner = ExecPluginRunner(
            environment: environment, stdinIsTerminal: isatty(0) == 1, keyPairCheck: keyPairCheck)
    }

    /// True when a 401 may be cured by refreshing (exec plugin or token file).
    nonisolated var canRefresh: Bool {
        switch auth {
        case .exec, .tokenFile: return true
        default: return false
        }
    }

    func current() async throws -> AppliedCredential {
        switch auth {
        case .none:
            return AppliedCredential()
        case .bearerToken(let token):
            return AppliedCredential(authorization: "Bearer \(token)")
        case .basic(let username, let password):
            let encoded = Data("\(username):\(password)".utf8).base64EncodedString()
            return AppliedCredential(authorization: "Basic \(encoded)")
        case .tokenFile(let path):
            return AppliedCredential(authorization: "Bearer \(try readTokenFile(path))")
        case .exec(let config, let user, let cluster):
            let credential = try await execCredential(config, user: user, cluster: cluster)
            return AppliedCredential(
                authorization: credential.token.map { "Bearer \($0)" },
                clientCertificatePEM: credential.clientCertificatePEM,
                clientKeyPEM: credential.clientKeyPEM)
        }
    }

    /// Forgets cached credentials after a 401 so the next `current()` fetches fresh ones.
    func invalidate() {
        cachedExec = nil
        tokenFileCache = nil
    }

    private func execCredential(
        _ config: ExecConfig, user: String, cluster: ExecClusterInfo?
    ) async throws -> ExecCredential {
        if let cached = cachedExec, cached.isValid(at: Date()) { return cached }
        if let running = execRun { return try await running.value }
        let runner = self.runner
        let task = Task { try await runner.run(config, user: user, cluster: cluster) }
        execRun = task
        execRuns += 1
        defer { execRun = nil }
        let credential = try await task.value
        cachedExec = credential
        return credential
    }

    private func readTokenFile(_ path: String) throws -> String {
        let attributes = try? FileManager.default.attributesOfItem(atPath: path)
        let modified = attributes?[.modificationDate] as? Date
        let size = (attributes?[.size] as? NSNumber)?.intValue ?? -1
        if let cache = tokenFileCache, cache.modified == modified, cache.size == size, modified != nil {
            return cache.token
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KubeConfigError("token file \(path) cannot be read")
        }
        let token = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard !token.isEmpty else { throw KubeConfigError("token file \(path) is empty") }
        tokenFileCache = (token, modified, size)
        return token
    }
}
