import Foundation
import KubeCertificates
import TestSupport
@testable import KubeClient

/// The shared test PKI (TestSupport), visible to every file of this target.
typealias TestPKI = TestSupport.TestPKI

/// The servers' TLS settings used here, from the shared test PKI (TestSupport).
extension TestPKI {
    var serverTLS: ServerTLS { ServerTLS(certificatePEM: server.certificatePEM, keyPEM: server.privateKeyPEM) }
    var mutualTLS: ServerTLS {
        ServerTLS(certificatePEM: server.certificatePEM, keyPEM: server.privateKeyPEM, clientCAPEM: ca.certificatePEM)
    }
}

/// A scratch directory removed when the value goes away.
final class TempDir: Sendable {
    let path: String
    init() throws {
        path = NSTemporaryDirectory() + "kube-client-tests-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }

    @discardableResult
    func write(_ name: String, _ text: String, executable: Bool = false) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(
            atPath: (file as NSString).deletingLastPathComponent,
            withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        if executable {
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: file)
        }
        return file
    }
}

extension String {
    var base64: String { Data(utf8).base64EncodedString() }
}
