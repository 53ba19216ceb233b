import Foundation
import KubeAPIMachinery
import KubeClient
import KubeCurl
import SingletonCore

/// Connects commands to a cluster through `KubeClient`, loading the kubeconfig the way
/// kubectl does (KUBECONFIG merged, --kubeconfig/--context/--cluster/--user/-n overrides).
public struct KubeClientConnector: KubeConnector {
    let environment: [String: String]
    /// Where `-v 6` request lines go (stderr in the plugin).
    let log: @Sendable (String) -> Void

    public init(environment: [String: String], log: @escaping @Sendable (String) -> Void = { _ in }) {
        self.environment = environment
        self.log = log
    }

    public func connect(_ options: KubeOptions) throws -> any KubeAPI {
        let configOptions = KubeConfigOptions(
            kubeconfig: options.kubeconfig, context: options.context, cluster: options.cluster, user: options.user,
            namespace: options.namespace,
            requestTimeout: (options.requestTimeoutSeconds ?? 0) > 0 ? options.requestTimeoutSeconds : nil,
            impersonateUser: options.impersonateUser, impersonateGroups: options.impersonateGroups,
            server: options.server, token: options.token, certificateAuthority: options.certificateAuthority,
            insecureSkipTLSVerify: options.insecureSkipTLSVerify)
        do {
            let config = try ClientConfig.load(configOptions, environment: environment, keyPairCheck: .openSSL)
            let api = KubeClientAPI(client: KubeClient(config: config, environment: environment))
            return options.verbosity >= 6 ? RequestLoggingAPI(base: api, log: log) : api
        } catch {
            let text = "\(error)"
            throw CLIError(text.hasPrefix("error: ") ? String(text.dropFirst(7)) : text)
        }
    }
}

/// `KubeAPI` over `KubeClient`: raw paths, JSON in and out, server errors as `KubeAPIError`, transport failures as `.noResponse`.
struct KubeClientAPI: KubeAPI {
    let client: KubeClient

    var defaultNamespace: String { client.config.namespace }

    func get(_ path: String) async throws(KubeAPIError) -> JSONValue {
        try await call { try await client.get(path) }
    }

    func create(_ path: String, _ body: JSONValue, dryRun: DryRunMode) async throws(KubeAPIError) -> JSONValue {
        try await call {
            try await client.create(
                path, body: body.serialized(), dryRun: dryRun == .server, fieldManager: "kubectl-singleton")
        }
    }

    func patch(
        _ path: String, _ body: JSONValue, type: PatchType, dryRun: DryRunMode
    ) async throws(KubeAPIError) -> JSONValue {
        try await call {
            try await client.patch(
                path, body: body.serialized(), type: type, fieldManager: "kubectl-singleton", dryRun: dryRun == .server)
        }
    }

    func delete(_ path: String, dryRun: DryRunMode) async throws(KubeAPIError) {
        _ = try await call { try await client.delete(path, propagationPolicy: .background, dryRun: dryRun == .server) }
    }

    func list<Item: Decodable & Sendable>(
        _ path: String, labelSelector: String?, of item: Item.Type
    ) async throws(KubeAPIError) -> [Item] {
        do {
            return try await client.list(path, of: item, labelSelector: labelSelector, limit: 500).items
        } catch let error as KubeAPIError {
            throw error
        } catch {
            throw .noResponse("\(error)")
        }
    }

    private func call(_ body: () async throws -> Data) async throws(KubeAPIError) -> JSONValue {
        let data: Data
        do {
            data = try await body()
        } catch let error as KubeAPIError {
            throw error
        } catch {
            throw .noResponse("\(error)")
        }
        guard !data.isEmpty else { return .null }
        do {
            return try JSONValue.parse(data)
        } catch {
            throw .noResponse("the API server answered with something that is not JSON")
        }
    }
}

/// `-v 6` and above: each request and its outcome on stderr, as kubectl logs them at that
/// level, so a user can see what the plugin asked the server.
struct RequestLoggingAPI: KubeAPI {
    let base: any KubeAPI
    let log: @Sendable (String) -> Void

    var defaultNamespace: String { base.defaultNamespace }

    func get(_ path: String) async throws(KubeAPIError) -> JSONValue {
        try await logged("GET", path) { () async throws(KubeAPIError) in try await base.get(path) }
    }

    func create(_ path: String, _ body: JSONValue, dryRun: DryRunMode) async throws(KubeAPIError) -> JSONValue {
        try await logged("POST", path) { () async throws(KubeAPIError) in
            try await base.create(path, body, dryRun: dryRun)
        }
    }

    func patch(
        _ path: String, _ body: JSONValue, type: PatchType, dryRun: DryRunMode
    ) async throws(KubeAPIError) -> JSONValue {
        try await logged("PATCH", path) { () async throws(KubeAPIError) in
            try await base.patch(path, body, type: type, dryRun: dryRun)
        }
    }

    func delete(_ path: String, dryRun: DryRunMode) async throws(KubeAPIError) {
        _ = try await logged("DELETE", path) { () async throws(KubeAPIError) -> JSONValue in
            try await base.delete(path, dryRun: dryRun)
            return .null
        }
    }

    func list<Item: Decodable & Sendable>(
        _ path: String, labelSelector: String?, of item: Item.Type
    ) async throws(KubeAPIError) -> [Item] {
        let shown = path + (labelSelector.map { "?labelSelector=" + JSONValue.escape($0) } ?? "")
        var result: [Item] = []
        _ = try await logged("GET", shown) { () async throws(KubeAPIError) -> JSONValue in
            result = try await base.list(path, labelSelector: labelSelector, of: item)
            return .null
        }
        return result
    }

    private func logged(
        _ verb: String, _ path: String, _ body: () async throws(KubeAPIError) -> JSONValue
    ) async throws(KubeAPIError) -> JSONValue {
        let start = ContinuousClock.now
        func millis() -> Int {
            let d = ContinuousClock.now - start
            return Int(d.components.seconds * 1000 + d.components.attoseconds / 1_000_000_000_000_000)
        }
        do {
            let value = try await body()
            log("\(verb) \(path) OK in \(millis()) milliseconds")
            return value
        } catch {
            log(
                "\(verb) \(path) \(error.code == 0 ? "failed" : "\(error.code) \(error.reason)") in \(millis()) milliseconds"
            )
            throw error
        }
    }
}
