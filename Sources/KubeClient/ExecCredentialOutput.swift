import Foundation

/// What an exec plugin printed: a token and/or a client certificate, and when they expire.
///
/// Why pure: the plugin's output is checked field by field with messages naming the plugin,
/// tested without running anything.
struct ExecCredential: Sendable, Equatable {
    var token: String?
    var clientCertificatePEM: Data?
    var clientKeyPEM: Data?
    /// nil: valid until the server answers 401.
    var expiration: Date?

    func isValid(at now: Date) -> Bool {
        guard let expiration else { return true }
        return expiration > now
    }

    /// Parses stdout of a plugin configured with `apiVersion`.
    static func parse(
        _ output: Data, apiVersion: String, command: String, user: String,
        keyPairCheck: ClientKeyPairCheck = .atHandshake
    ) throws -> ExecCredential {
        func fail(_ message: String) -> ExecPluginError {
            ExecPluginError(command: command, user: user, message: message)
        }
        guard let json = try? JSONSerialization.jsonObject(with: output) as? [String: Any] else {
            let text = String(decoding: output.prefix(200), as: UTF8.self)
            throw fail("output is not an ExecCredential JSON object: \"\(text)\"")
        }
        guard json["kind"] as? String == "ExecCredential" else {
            throw fail("output has kind \"\(json["kind"] as? String ?? "")\", want ExecCredential")
        }
        guard json["apiVersion"] as? String == apiVersion else {
            throw fail(
                "output has apiVersion \"\(json["apiVersion"] as? String ?? "")\", but the kubeconfig asks for \(apiVersion)"
            )
        }
        guard let status = json["status"] as? [String: Any] else {
            throw fail("output has no status (the plugin printed no credential)")
        }
        var credential = ExecCredential()
        credential.token = nonEmpty(status["token"] as? String)
        if let certificate = nonEmpty(status["clientCertificateData"] as? String) {
            credential.clientCertificatePEM = Data(certificate.utf8)
        }
        if let key = nonEmpty(status["clientKeyData"] as? String) {
            credential.clientKeyPEM = Data(key.utf8)
        }
        if (credential.clientCertificatePEM == nil) != (credential.clientKeyPEM == nil) {
            throw fail("status has only one of clientCertificateData and clientKeyData")
        }
        if let certificate = credential.clientCertificatePEM, !PEMCheck.containsCertificate(certificate) {
            throw fail("status.clientCertificateData is not a PEM certificate")
        }
        if let key = credential.clientKeyPEM, !PEMCheck.containsPrivateKey(key) {
            throw fail("status.clientKeyData is not a PEM private key")
        }
        if let certificate = credential.clientCertificatePEM, let key = credential.clientKeyPEM {
            do {
                try UserResolver.checkPair(
                    certificate: (certificate, "status.clientCertificateData"),
                    key: (key, "status.clientKeyData"), where: "output", using: keyPairCheck)
            } catch let error as KubeConfigError {
                throw fail(error.message)
            }
        }
        if credential.token == nil, credential.clientCertificatePEM == nil {
            throw fail("status has neither token nor clientCertificateData/clientKeyData")
        }
        if let text = status["expirationTimestamp"] as? String {
            guard let date = parseTimestamp(text) else {
                throw fail("status.expirationTimestamp \"\(text)\" is not an RFC 3339 time")
            }
            credential.expiration = date
        }
        return credential
    }

    static func parseTimestamp(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: text)
    }

    /// The `KUBERNETES_EXEC_INFO` value handed to the plugin.
    static func execInfo(apiVersion: String, interactive: Bool, cluster: ExecClusterInfo?) -> String {
        struct Spec: Encodable {
            var interactive: Bool
            var cluster: ExecClusterInfo?
        }
        struct Info: Encodable {
            var kind = "ExecCredential"
            var apiVersion: String
            var spec: Spec
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let data =
            (try? encoder.encode(Info(apiVersion: apiVersion, spec: Spec(interactive: interactive, cluster: cluster))))
            ?? Data()
        return String(decoding: data, as: UTF8.self)
    }
}
