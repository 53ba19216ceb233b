import Foundation
import KubeCertificates
import Testing

/// Runs the `openssl` command line tool: an independent judge of what we generate.
func openssl(_ args: [String]) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    p.arguments = ["openssl"] + args
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

func temporaryFile(_ contents: String) throws -> String {
    let path = FileManager.default.temporaryDirectory.appendingPathComponent("ks-\(UUID().uuidString).pem").path
    try contents.write(toFile: path, atomically: true, encoding: .utf8)
    return path
}

let hasOpenSSLCLI = FileManager.default.isExecutableFile(atPath: "/usr/bin/openssl")

@Suite struct CertificateFactoryTests {
    @Test func caIsSelfSignedAndMarkedCA() throws {
        let ca = try CertificateFactory.makeCA(commonName: "kube-singleton test CA", validityDays: 30)
        let info = try CertificateFactory.inspect(certificatePEM: ca.certificatePEM)
        #expect(info.subjectCommonName == "kube-singleton test CA")
        #expect(info.issuerCommonName == "kube-singleton test CA")
        #expect(info.isCA)
        let days = info.notAfter.timeIntervalSince(info.notBefore) / 86_400
        #expect(days > 29.9 && days < 30.1)
        #expect(info.sha256Fingerprint.count == 64)
        #expect(try CertificateFactory.validatePrivateKey(pem: ca.privateKeyPEM) == "EC")
        #expect(try CertificateFactory.keyMatches(certificatePEM: ca.certificatePEM, privateKeyPEM: ca.privateKeyPEM))
    }

    @Test func serverCertificateCarriesSANsAndChainsToCA() throws {
        let ca = try CertificateFactory.makeCA(commonName: "ca")
        let server = try CertificateFactory.issue(
            CertificateSpec(
                commonName: "singleton-webhook.singleton-system.svc",
                dnsNames: ["singleton-webhook.singleton-system.svc", "localhost"],
                ipAddresses: ["127.0.0.1"]),
            signedBy: ca)
        let info = try CertificateFactory.inspect(certificatePEM: server.certificatePEM)
        #expect(!info.isCA)
        #expect(info.issuerCommonName == "ca")
        #expect(try CertificateFactory.isSigned(certificatePEM: server.certificatePEM, byAnyOf: ca.certificatePEM))
        #expect(
            try CertificateFactory.matches(
                certificatePEM: server.certificatePEM, host: "singleton-webhook.singleton-system.svc"))
        #expect(try CertificateFactory.matches(certificatePEM: server.certificatePEM, host: "127.0.0.1"))
        #expect(try !CertificateFactory.matches(certificatePEM: server.certificatePEM, host: "evil.example.com"))
        #expect(try !CertificateFactory.matches(certificatePEM: server.certificatePEM, host: "10.0.0.1"))

        let other = try CertificateFactory.makeCA(commonName: "ca")  // same name, different key
        #expect(try !CertificateFactory.isSigned(certificatePEM: server.certificatePEM, byAnyOf: other.certificatePEM))
        // A bundle with the right CA second still verifies.
        #expect(
            try CertificateFactory.isSigned(
                certificatePEM: server.certificatePEM,
                byAnyOf: other.certificatePEM + ca.certificatePEM))
    }

    @Test(.enabled(if: hasOpenSSLCLI, "needs the openssl command to cross-check"))
    func opensslVerifiesTheChainAndPurpose() throws {
        let ca = try CertificateFactory.makeCA(commonName: "ca")
        let server = try CertificateFactory.issue(
            CertificateSpec(commonName: "s", dnsNames: ["localhost"], usage: .server), signedBy: ca)
        let client = try CertificateFactory.issue(
            CertificateSpec(
                commonName: "admin", organizations: ["system:masters", "devs"], usage: .client,
                keyAlgorithm: .rsa(bits: 2048)),
            signedBy: ca)
        let caFile = try temporaryFile(ca.certificatePEM)
        let serverFile = try temporaryFile(server.certificatePEM)
        let clientFile = try temporaryFile(client.certificatePEM)
        defer { [caFile, serverFile, clientFile].forEach { try? FileManager.default.removeItem(atPath: $0) } }

        #expect(try openssl(["verify", "-CAfile", caFile, "-purpose", "sslserver", serverFile]).status == 0)
        #expect(try openssl(["verify", "-CAfile", caFile, "-purpose", "sslclient", clientFile]).status == 0)
        // A server certificate is not good for client auth, and vice versa.
        #expect(try openssl(["verify", "-CAfile", caFile, "-purpose", "sslclient", serverFile]).status != 0)
        #expect(try openssl(["verify", "-CAfile", caFile, "-purpose", "sslserver", clientFile]).status != 0)

        let text = try openssl(["x509", "-in", clientFile, "-noout", "-subject"]).output
        #expect(text.contains("CN = admin"))
        #expect(text.contains("O = system:masters"))
        #expect(try CertificateFactory.validatePrivateKey(pem: client.privateKeyPEM) == "RSA")
        #expect(
            try CertificateFactory.inspect(certificatePEM: client.certificatePEM).subjectOrganizations == [
                "system:masters", "devs",
            ])
    }

    @Test func mismatchedKeyIsDetected() throws {
        let ca = try CertificateFactory.makeCA(commonName: "ca")
        let a = try CertificateFactory.issue(CertificateSpec(commonName: "a", usage: .client), signedBy: ca)
        let b = try CertificateFactory.issue(CertificateSpec(commonName: "b", usage: .client), signedBy: ca)
        #expect(try !CertificateFactory.keyMatches(certificatePEM: a.certificatePEM, privateKeyPEM: b.privateKeyPEM))
    }

    @Test(arguments: [
        ("", "not a PEM private key"),
        ("-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n", "not a PEM private key"),
        ("hello", "not a PEM private key"),
    ])
    func badKeysAreNamed(pem: String, expected: String) {
        #expect {
            _ = try CertificateFactory.validatePrivateKey(pem: pem)
        } throws: { error in
            "\(error)".contains(expected)
        }
    }

    @Test func badCertificateIsNamed() {
        #expect {
            _ = try CertificateFactory.inspect(
                certificatePEM: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
        } throws: { error in
            "\(error)".contains("not a PEM certificate")
        }
    }

    @Test func invalidSpecsAreRejected() throws {
        let ca = try CertificateFactory.makeCA(commonName: "ca")
        #expect(throws: CertificateError.self) {
            try CertificateFactory.issue(CertificateSpec(commonName: "", usage: .client), signedBy: ca)
        }
        #expect(throws: CertificateError.self) {
            try CertificateFactory.issue(CertificateSpec(commonName: "x", validityDays: 0), signedBy: ca)
        }
        #expect(throws: CertificateError.self) {
            try CertificateFactory.makeCA(commonName: "x", keyAlgorithm: .rsa(bits: 1024))
        }
        #expect(throws: CertificateError.self) {
            try CertificateFactory.issue(CertificateSpec(commonName: "x", ipAddresses: ["not-an-ip"]), signedBy: ca)
        }
    }
}
