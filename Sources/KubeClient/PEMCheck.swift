import Foundation

/// Cheap structural checks of PEM material found in kubeconfigs and exec credentials.
///
/// Why: a base64 slip or a certificate pasted where the key belongs otherwise surfaces as an
/// obscure TLS failure on the first request; checking the PEM labels up front lets the error name
/// the field ("client-key-data is not a PEM private key"). Cryptographic checks (does the key
/// match the certificate) are left to the TLS library and reported by `TransportError`.
enum PEMCheck {
    /// Private key labels: PKCS#8, PKCS#1 RSA, SEC1 EC, and encrypted PKCS#8.
    static let privateKeyLabels = ["PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY"]

    static func containsCertificate(_ data: Data) -> Bool {
        labels(in: data).contains("CERTIFICATE")
    }

    static func containsPrivateKey(_ data: Data) -> Bool {
        labels(in: data).contains { privateKeyLabels.contains($0) }
    }

    /// The labels of complete `-----BEGIN X-----` ... `-----END X-----` blocks whose body is base64.
    static func labels(in data: Data) -> [String] {
        let text = String(decoding: data, as: UTF8.self)
        var labels: [String] = []
        var current: String?
        var body = ""
        for rawLine in text.split(omittingEmptySubsequences: true, whereSeparator: \.isNewline) {
            let line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("-----BEGIN "), line.hasSuffix("-----") {
                current = String(line.dropFirst(11).dropLast(5))
                body = ""
            } else if line.hasPrefix("-----END "), line.hasSuffix("-----"), let label = current {
                if String(line.dropFirst(9).dropLast(5)) == label, !body.isEmpty,
                    Data(base64Encoded: body) != nil
                {
                    labels.append(label)
                }
                current = nil
            } else if current != nil, !line.contains(":") {
                body += line
            }
        }
        return labels
    }

    /// Decodes a kubeconfig `*-data` field (base64 of PEM), naming the field when it is not base64.
    static func decodeBase64(_ text: String, field: String, where location: String) throws -> Data {
        let cleaned = text.filter { !$0.isWhitespace }
        guard let data = Data(base64Encoded: cleaned) ?? Data(base64Encoded: padded(cleaned)) else {
            throw KubeConfigError("\(location): \(field) is not valid base64")
        }
        return data
    }

    private static func padded(_ text: String) -> String {
        let remainder = text.count % 4
        return remainder == 0 ? text : text + String(repeating: "=", count: 4 - remainder)
    }
}
