import Foundation

/// Writes the kubeconfig that real kubectl (and the plugin) use unchanged against the
/// sandbox: the sandbox CA as `certificate-authority-data`, and either an admin client
/// certificate (`client-certificate-data`/`client-key-data`) or a bearer `token`.
public enum Kubeconfig {
    public enum Credentials: Sendable {
        case clientCertificate(certificatePEM: String, keyPEM: String)
        case token(String)
    }

    public static func render(
        server: String, caPEM: String, credentials: Credentials,
        name: String = "kube-singleton-sandbox", namespace: String = "default"
    ) -> String {
        func b64(_ s: String) -> String { Data(s.utf8).base64EncodedString() }
        let user: String
        switch credentials {
        case .clientCertificate(let cert, let key):
            user = "    client-certificate-data: \(b64(cert))\n    client-key-data: \(b64(key))\n"
        case .token(let token):
            user = "    token: \(token)\n"
        }
        return """
            apiVersion: v1
            kind: Config
            clusters:
            - name: \(name)
              cluster:
                server: \(server)
                certificate-authority-data: \(b64(caPEM))
            users:
            - name: \(name)-admin
              user:
            \(user.split(separator: "\n").map { "  " + $0 }.joined(separator: "\n"))
            contexts:
            - name: \(name)
              context:
                cluster: \(name)
                user: \(name)-admin
                namespace: \(namespace)
            current-context: \(name)

            """
    }
}
