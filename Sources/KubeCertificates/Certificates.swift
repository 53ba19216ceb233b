import Foundation

/// A certificate and its private key, both PEM. What a CA, a server or a kubeconfig user
/// needs; generated in memory and only written to disk by callers that must.
public struct CertificateAndKey: Sendable, Equatable {
    public var certificatePEM: String
    public var privateKeyPEM: String

    public init(certificatePEM: String, privateKeyPEM: String) {
        self.certificatePEM = certificatePEM
        self.privateKeyPEM = privateKeyPEM
    }
}

/// Key algorithms we generate. ECDSA P-256 is the default: small, fast, accepted by
/// Kubernetes and every TLS stack we talk to. RSA exists because some tests must prove
/// that RSA client keys work too.
public enum KeyAlgorithm: Sendable, Equatable {
    case ecdsaP256
    case rsa(bits: Int)
}

/// What to put into a certificate.
public struct CertificateSpec: Sendable, Equatable {
    public enum Usage: Sendable, Equatable { case server, client, serverAndClient }

    public var commonName: String
    /// Subject O entries: Kubernetes maps them to groups for client certificates.
    public var organizations: [String]
    public var dnsNames: [String]
    public var ipAddresses: [String]
    public var usage: Usage
    public var validityDays: Int
    public var keyAlgorithm: KeyAlgorithm

    public init(
        commonName: String, organizations: [String] = [], dnsNames: [String] = [], ipAddresses: [String] = [],
        usage: Usage = .server, validityDays: Int = 365, keyAlgorithm: KeyAlgorithm = .ecdsaP256
    ) {
        self.commonName = commonName
        self.organizations = organizations
        self.dnsNames = dnsNames
        self.ipAddresses = ipAddresses
        self.usage = usage
        self.validityDays = validityDays
        self.keyAlgorithm = keyAlgorithm
    }
}

/// What a PEM certificate says about itself.
public struct CertificateInfo: Sendable, Equatable {
    public var subjectCommonName: String?
    public var subjectOrganizations: [String]
    public var issuerCommonName: String?
    public var notBefore: Date
    public var notAfter: Date
    public var isCA: Bool
    /// SHA-256 of the DER encoding, lower-case hex.
    public var sha256Fingerprint: String
}

/// A failure of certificate or key handling, with OpenSSL's own reason appended.
public struct CertificateError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Creation and inspection of X.509 material for the sandbox, tests and
/// `kubectl singleton install --self-signed`.
public enum CertificateFactory {
    /// A self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign).
    public static func makeCA(
        commonName: String, validityDays: Int = 365,
        keyAlgorithm: KeyAlgorithm = .ecdsaP256
    ) throws -> CertificateAndKey {
        try OpenSSL.makeCertificate(
            spec: CertificateSpec(commonName: commonName, validityDays: validityDays, keyAlgorithm: keyAlgorithm),
            isCA: true, issuer: nil)
    }

    /// A leaf certificate signed by `ca`, with SANs and extended key usage from `spec`.
    public static func issue(_ spec: CertificateSpec, signedBy ca: CertificateAndKey) throws -> CertificateAndKey {
        try OpenSSL.makeCertificate(spec: spec, isCA: false, issuer: ca)
    }

    /// Reads subject, issuer, validity and fingerprint of a PEM certificate (the first
    /// one, when the PEM holds a chain).
    public static func inspect(certificatePEM: String) throws -> CertificateInfo {
        try OpenSSL.inspect(certificatePEM: certificatePEM)
    }

    /// Checks that a PEM holds a private key OpenSSL can read (PKCS#1 RSA, SEC1 EC or
    /// PKCS#8), and names its type ("RSA", "EC", ...).
    public static func validatePrivateKey(pem: String) throws -> String {
        try OpenSSL.privateKeyType(pem: pem)
    }

    /// Whether `privateKeyPEM` is the key of `certificatePEM`.
    public static func keyMatches(certificatePEM: String, privateKeyPEM: String) throws -> Bool {
        try OpenSSL.keyMatches(certificatePEM: certificatePEM, privateKeyPEM: privateKeyPEM)
    }

    /// Whether `certificatePEM` was signed by the CA in `caPEM` (one of the certificates
    /// of a bundle): what a webhook's caBundle must satisfy for the apiserver.
    public static func isSigned(certificatePEM: String, byAnyOf caPEM: String) throws -> Bool {
        try OpenSSL.isSigned(certificatePEM: certificatePEM, byAnyOf: caPEM)
    }

    /// Whether the certificate is valid for a DNS name or IP address.
    public static func matches(certificatePEM: String, host: String) throws -> Bool {
        try OpenSSL.matches(certificatePEM: certificatePEM, host: host)
    }
}
