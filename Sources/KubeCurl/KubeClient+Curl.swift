import Foundation
import KubeCertificates
import KubeClient
import Logging

extension KubeClient {
    /// A client over libcurl's shared connection pool (`HTTPTransport.shared`): what the plugin
    /// and the sandbox use.
    public convenience init(
        config: ClientConfig,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        logger: Logger = Logger(label: "kube-client")
    ) {
        self.init(config: config, transport: HTTPTransport.shared, environment: environment, logger: logger)
    }
}

extension ClientKeyPairCheck {
    /// Parses the key and the certificate with OpenSSL, the library libcurl presents them with,
    /// and compares their public keys.
    public static let openSSL = ClientKeyPairCheck { certificatePEM, keyPEM in
        do {
            _ = try CertificateFactory.validatePrivateKey(pem: keyPEM)
        } catch {
            return .unusableKey("\(error)")
        }
        do {
            return try CertificateFactory.keyMatches(certificatePEM: certificatePEM, privateKeyPEM: keyPEM)
                ? nil : .keyDoesNotMatch
        } catch {
            return .unreadableCertificate("\(error)")
        }
    }
}
