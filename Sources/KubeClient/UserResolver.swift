import Foundation

/// Resolves a kubeconfig `user` entry into an `AuthMethod` and TLS client credentials.
///
/// Why separate from `ConfigResolver`: user entries carry the most shapes (certificates from
/// files or data, tokens, token files, basic auth, exec plugins) and the most ways to be wrong.
struct UserResolver {
    var readFile: (String) -> Data?
    var keyPairCheck: ClientKeyPairCheck

    func resolve(
        _ user: UserEntry, name: String, where userWhere: String, tls: inout TLSOptions,
        clusterInfo: ExecClusterInfo
    ) throws -> AuthMethod {
        if user.authProvider != nil {
            throw KubeConfigError(
                "\(userWhere) uses auth-provider \"\(user.authProvider?.name ?? "")\", which kubectl no longer supports; switch to an exec credential plugin (for GKE: gke-gcloud-auth-plugin, for AKS: kubelogin)"
            )
        }
        let certificate = try material(
            data: user.clientCertificateData, file: user.clientCertificate,
            field: "client-certificate", where: userWhere)
        let key = try material(data: user.clientKeyData, file: user.clientKey, field: "client-key", where: userWhere)
        switch (certificate, key) {
        case let (certificate?, key?):
            guard PEMCheck.containsCertificate(certificate.data) else {
                throw KubeConfigError("\(userWhere): \(certificate.field) is not a PEM certificate")
            }
            guard PEMCheck.containsPrivateKey(key.data) else {
                throw KubeConfigError("\(userWhere): \(key.field) is not a PEM private key")
            }
            try Self.checkPair(certificate: certificate, key: key, where: userWhere, using: keyPairCheck)
            tls.clientCertificatePEM = certificate.data
            tls.clientKeyPEM = key.data
        case let (certificate?, nil):
            throw KubeConfigError("\(userWhere) has \(certificate.field) but no client-key or client-key-data")
        case let (nil, key?):
            throw KubeConfigError("\(userWhere) has \(key.field) but no client-certificate or client-certificate-data")
        case (nil, nil):
            break
        }
        let hasBasic = nonEmpty(user.username) != nil || nonEmpty(user.password) != nil
        let hasToken = nonEmpty(user.token) != nil || nonEmpty(user.tokenFile) != nil
        if hasBasic && hasToken {
            throw KubeConfigError("\(userWhere) sets both a token and username/password; keep one")
        }
        if let exec = user.exec {
            if hasBasic || hasToken {
                throw KubeConfigError("\(userWhere) sets exec together with a token or username/password; keep one")
            }
            guard !exec.command.isEmpty else { throw KubeConfigError("\(userWhere): exec has no command") }
            guard ExecConfig.supportedAPIVersions.contains(exec.apiVersion) else {
                throw KubeConfigError(
                    "\(userWhere): exec apiVersion \"\(exec.apiVersion)\" is not supported (use client.authentication.k8s.io/v1 or v1beta1)"
                )
            }
            if exec.apiVersion.hasSuffix("/v1"), exec.interactiveMode == nil {
                throw KubeConfigError(
                    "\(userWhere): exec interactiveMode must be set (Never, IfAvailable or Always) for client.authentication.k8s.io/v1"
                )
            }
            return .exec(exec, user: name, cluster: exec.provideClusterInfo ? clusterInfo : nil)
        }
        if let token = nonEmpty(user.token) { return .bearerToken(token) }
        if let tokenFile = nonEmpty(user.tokenFile) {
            guard readFile(tokenFile) != nil else {
                throw KubeConfigError("\(userWhere): tokenFile \(tokenFile) cannot be read")
            }
            return .tokenFile(path: tokenFile)
        }
        if hasBasic {
            return .basic(username: user.username ?? "", password: user.password ?? "")
        }
        return .none
    }

    /// Checks the key parses and belongs to the certificate (with `check`'s crypto library), so
    /// a swapped or stale key is reported with the user's name instead of as a TLS failure later.
    static func checkPair(
        certificate: (data: Data, field: String), key: (data: Data, field: String),
        where userWhere: String, using check: ClientKeyPairCheck
    ) throws {
        let certificateText = String(decoding: certificate.data, as: UTF8.self)
        let keyText = String(decoding: key.data, as: UTF8.self)
        switch check.problem(certificatePEM: certificateText, keyPEM: keyText) {
        case nil:
            return
        case .unusableKey(let why):
            throw KubeConfigError("\(userWhere): \(key.field) is not a usable PEM private key: \(why)")
        case .unreadableCertificate(let why):
            throw KubeConfigError("\(userWhere): \(certificate.field) cannot be read as a certificate: \(why)")
        case .keyDoesNotMatch:
            throw KubeConfigError("\(userWhere): \(key.field) is not the private key of \(certificate.field)")
        }
    }

    private func material(
        data: String?, file: String?, field: String, where userWhere: String
    ) throws -> (data: Data, field: String)? {
        if nonEmpty(data) != nil, nonEmpty(file) != nil {
            throw KubeConfigError("\(userWhere) sets both \(field)-data and \(field); keep one")
        }
        if let data = nonEmpty(data) {
            return (try PEMCheck.decodeBase64(data, field: "\(field)-data", where: userWhere), "\(field)-data")
        }
        if let file = nonEmpty(file) {
            guard let bytes = readFile(file) else {
                throw KubeConfigError("\(userWhere): \(field) file \(file) cannot be read")
            }
            return (bytes, "\(field) (\(file))")
        }
        return nil
    }
}
