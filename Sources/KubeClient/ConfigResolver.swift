import Foundation

/// Turns merged kubeconfig entries plus command-line overrides into a `ClientConfig`.
///
/// Why pure (file reads are injected): every rule and every error message ("context "prod" not
/// found in ...", "client-key-data is not a PEM private key") is testable without a home directory.
struct ConfigResolver {
    var merged: MergedKubeConfig
    var environment: [String: String]
    var readFile: (String) -> Data?
    var keyPairCheck: ClientKeyPairCheck = .atHandshake

    func resolve(_ options: KubeConfigOptions) throws -> ClientConfig {
        let files = merged.filesDescription
        let contextName = nonEmpty(options.context) ?? nonEmpty(merged.currentContext)
        var context = ContextEntry()
        if let contextName {
            guard let found = merged.contexts[contextName] else {
                let known = merged.contexts.keys.sorted().joined(separator: ", ")
                throw KubeConfigError(
                    "context \"\(contextName)\" not found in \(files)"
                        + (known.isEmpty ? "" : " (known contexts: \(known))"))
            }
            context = found
        } else if options.cluster == nil && nonEmpty(options.server) == nil {
            throw KubeConfigError(
                "no current context is set in \(files): use --context or `kubectl config use-context`")
        }
        let chosenBy = contextName.map { "context \"\($0)\"" } ?? "the command line"
        // --server alone needs no cluster entry (kubectl --server URL --token T works without a kubeconfig).
        let clusterName =
            nonEmpty(options.cluster) ?? nonEmpty(context.cluster) ?? (nonEmpty(options.server) == nil ? nil : "")
        guard let clusterName else {
            throw KubeConfigError(
                "\(chosenBy) in \(context.sourceFile.isEmpty ? files : context.sourceFile) names no cluster")
        }
        guard var cluster = merged.clusters[clusterName] ?? (clusterName.isEmpty ? ClusterEntry() : nil) else {
            throw KubeConfigError("cluster \"\(clusterName)\" (used by \(chosenBy)) not found in \(files)")
        }
        Self.applyClusterFlags(options, to: &cluster)
        var user = UserEntry()
        let userName = nonEmpty(options.user) ?? nonEmpty(context.user)
        if let userName {
            guard let found = merged.users[userName] else {
                throw KubeConfigError("user \"\(userName)\" (used by \(chosenBy)) not found in \(files)")
            }
            user = found
        }
        if let token = nonEmpty(options.token) {
            // --token replaces the entry's credentials (a client certificate stays, as in kubectl).
            user = UserEntry(
                clientCertificate: user.clientCertificate, clientCertificateData: user.clientCertificateData,
                clientKey: user.clientKey, clientKeyData: user.clientKeyData, token: token, sourceFile: user.sourceFile)
        }
        let clusterWhere = "cluster \"\(clusterName)\" in \(cluster.sourceFile)"
        guard let server = nonEmpty(cluster.server) else {
            throw KubeConfigError("\(clusterWhere) has no server")
        }
        guard let url = URLComponents(string: server), let scheme = url.scheme?.lowercased(),
            scheme == "https" || scheme == "http", url.host != nil
        else {
            throw KubeConfigError("\(clusterWhere): server \"\(server)\" is not an http(s) URL")
        }
        var tls = try clusterTLS(cluster, where: clusterWhere)
        if let proxy = nonEmpty(cluster.proxyURL) {
            let scheme = URLComponents(string: proxy)?.scheme?.lowercased() ?? ""
            guard ["http", "https", "socks5"].contains(scheme) else {
                throw KubeConfigError("\(clusterWhere): proxy-url \"\(proxy)\" must use http, https or socks5")
            }
        }
        let userWhere = "user \"\(userName ?? "")\" in \(user.sourceFile)"
        let auth = try UserResolver(readFile: readFile, keyPairCheck: keyPairCheck).resolve(
            user, name: userName ?? "", where: userWhere, tls: &tls,
            clusterInfo: execClusterInfo(server: server, cluster: cluster, tls: tls))
        return ClientConfig(
            server: server,
            namespace: nonEmpty(options.namespace) ?? nonEmpty(context.namespace) ?? "default",
            contextName: contextName, clusterName: clusterName, userName: userName,
            source: files, tls: tls,
            proxy: ProxyResolver.proxy(forServer: server, proxyURL: cluster.proxyURL, environment: environment),
            auth: auth, requestTimeout: options.requestTimeout,
            impersonateUser: nonEmpty(options.impersonateUser), impersonateGroups: options.impersonateGroups,
            keyPairCheck: keyPairCheck)
    }

    /// kubectl's cluster overrides: `--server`, `--certificate-authority`, and
    /// `--insecure-skip-tls-verify`, which also drops the CA the kubeconfig names.
    static func applyClusterFlags(_ options: KubeConfigOptions, to cluster: inout ClusterEntry) {
        if let server = nonEmpty(options.server) {
            cluster.server = server
            if cluster.sourceFile.isEmpty { cluster.sourceFile = "the command line" }
        }
        if let ca = nonEmpty(options.certificateAuthority) {
            cluster.certificateAuthority = ca
            cluster.certificateAuthorityData = nil
            cluster.insecureSkipTLSVerify = nil
        }
        if options.insecureSkipTLSVerify {
            cluster.insecureSkipTLSVerify = true
            cluster.certificateAuthority = nil
            cluster.certificateAuthorityData = nil
        }
    }

    private func clusterTLS(_ cluster: ClusterEntry, where clusterWhere: String) throws -> TLSOptions {
        var tls = TLSOptions(
            serverName: nonEmpty(cluster.tlsServerName),
            insecureSkipVerify: cluster.insecureSkipTLSVerify ?? false)
        if let data = nonEmpty(cluster.certificateAuthorityData) {
            tls.certificateAuthorityPEM = try PEMCheck.decodeBase64(
                data, field: "certificate-authority-data", where: clusterWhere)
        } else if let file = nonEmpty(cluster.certificateAuthority) {
            guard let data = readFile(file) else {
                throw KubeConfigError("\(clusterWhere): certificate-authority file \(file) cannot be read")
            }
            tls.certificateAuthorityPEM = data
        }
        if let ca = tls.certificateAuthorityPEM {
            guard PEMCheck.containsCertificate(ca) else {
                throw KubeConfigError(
                    "\(clusterWhere): certificate-authority\(cluster.certificateAuthorityData == nil ? "" : "-data") is not a PEM certificate"
                )
            }
            if tls.insecureSkipVerify {
                throw KubeConfigError(
                    "\(clusterWhere): certificate-authority and insecure-skip-tls-verify are both set; remove one (a CA with verification off would be ignored)"
                )
            }
        }
        return tls
    }

    private func execClusterInfo(server: String, cluster: ClusterEntry, tls: TLSOptions) -> ExecClusterInfo {
        ExecClusterInfo(
            server: server, tlsServerName: nonEmpty(cluster.tlsServerName),
            insecureSkipTLSVerify: cluster.insecureSkipTLSVerify,
            certificateAuthorityData: tls.certificateAuthorityPEM?.base64EncodedString(),
            proxyURL: nonEmpty(cluster.proxyURL))
    }
}

func nonEmpty(_ text: String?) -> String? {
    guard let text, !text.isEmpty else { return nil }
    return text
}
