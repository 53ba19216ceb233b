import Foundation
@testable import HTTPSServerKit
import TestSupport
import Testing

@Suite("Reading CN and O from DER certificates")
struct CertificateSubjectTests {
    @Test("CN and every O come out of an openssl-made client certificate")
    func fromOpenSSL() throws {
        let pki = try TestPKI.make()
        let c = try pki.clientFiles(cn: "system:node:worker-1", orgs: ["system:nodes", "team a"])
        let der = try derBytes(c.cert)
        let identity = try #require(CertificateSubject.identity(fromDER: der))
        #expect(identity.commonName == "system:node:worker-1")
        #expect(identity.organizations == ["system:nodes", "team a"])
    }

    @Test("garbage and truncated DER give nil, never a crash")
    func malformed() throws {
        let pki = try TestPKI.make()
        let der = try derBytes(pki.certFile)
        #expect(CertificateSubject.identity(fromDER: []) == nil)
        #expect(CertificateSubject.identity(fromDER: [0x30, 0x84, 0xFF, 0xFF, 0xFF, 0xFF]) == nil)
        for cut in stride(from: 0, to: 60, by: 7) {
            #expect(CertificateSubject.identity(fromDER: Array(der.prefix(cut))) == nil)
        }
        #expect(CertificateSubject.identity(fromDER: der)?.commonName == "localhost")
    }

    private func derBytes(_ pemPath: String) throws -> [UInt8] {
        let pem = try String(contentsOfFile: pemPath, encoding: .utf8)
        let base64 = pem.split(separator: "\n").filter { !$0.hasPrefix("-----") }.joined()
        return Array(try #require(Data(base64Encoded: base64)))
    }
}
