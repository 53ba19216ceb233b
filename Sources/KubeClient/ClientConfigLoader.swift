import Foundation

/// Finds and reads the kubeconfig files (or the in-cluster service account) and resolves them
/// into a `ClientConfig`.
///
/// Why a separate type: `load` is the only I/O step; `ConfigResolver` does the rest purely.
struct ClientConfigLoader {
    var environment: [String: String]
    var serviceAccountDirectory: String
    var keyPairCheck: ClientKeyPairCheck = .atHandshake

    func load(_ options: KubeConfigOptions) throws -> ClientConfig {
        let files = try readFiles(options)
        let merged = MergedKubeConfig(merging: files)
        let explicitlyChosen = options.context != nil || options.cluster != nil
        if merged.isEmpty, options.kubeconfig == nil, !explicitlyChosen,
            InClusterConfig.isAvailable(environment: environment)
        {
            return try InClusterConfig.load(
                environment: environment, directory: serviceAccountDirectory,
                options: options)
        }
        if merged.isEmpty, (options.server ?? "").isEmpty {
            let looked = candidatePaths(options).joined(separator: ", ")
            throw KubeConfigError(
                "no configuration has been provided: no kubeconfig found (looked at \(looked.isEmpty ? "nothing" : looked)) and not running in a cluster (KUBERNETES_SERVICE_HOST is not set)"
            )
        }
        return try ConfigResolver(
            merged: merged, environment: environment, readFile: Self.readFile, keyPairCheck: keyPairCheck
        )
        .resolve(options)
    }

    /// `--kubeconfig`, else `KUBECONFIG` entries, else `~/.kube/config`.
    func candidatePaths(_ options: KubeConfigOptions) -> [String] {
        if let explicit = options.kubeconfig, !explicit.isEmpty { return [expand(explicit)] }
        if let list = environment["KUBECONFIG"], !list.isEmpty {
            var seen = Set<String>()
            return list.split(separator: ":").map { expand(String($0)) }.filter {
                !$0.isEmpty && seen.insert($0).inserted
            }
        }
        guard let home = environment["HOME"], !home.isEmpty else { return [] }
        return [home + "/.kube/config"]
    }

    private func readFiles(_ options: KubeConfigOptions) throws -> [KubeConfigFile] {
        var files: [KubeConfigFile] = []
        for path in candidatePaths(options) {
            guard FileManager.default.fileExists(atPath: path) else {
                if options.kubeconfig != nil {
                    throw KubeConfigError("kubeconfig \(path) (from --kubeconfig) does not exist")
                }
                continue  // kubectl skips missing KUBECONFIG entries
            }
            guard let data = FileManager.default.contents(atPath: path) else {
                throw KubeConfigError("kubeconfig \(path) cannot be read (check its permissions)")
            }
            files.append(try KubeConfigFile.parse(String(decoding: data, as: UTF8.self), path: path))
        }
        return files
    }

    private func expand(_ path: String) -> String {
        if path == "~" || path.hasPrefix("~/"), let home = environment["HOME"] {
            return home + path.dropFirst()
        }
        return path
    }

    static func readFile(_ path: String) -> Data? { FileManager.default.contents(atPath: path) }
}
