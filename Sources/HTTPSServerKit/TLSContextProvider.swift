import Foundation
import NIOCore
import NIOSSL
import Synchronization

/// Owns the server's current `NIOSSLContext` and swaps it when the PEM files change.
///
/// Each new connection asks for the context at accept time, so after a swap new
/// connections get the new certificate while established ones keep theirs. A half-written
/// rotation (new certificate, old key) fails to build and the old context stays in
/// service, so no handshake fails during the swap; the next poll picks the pair up once
/// both files are consistent.
final class TLSContextProvider: Sendable {
    private struct State {
        var context: NIOSSLContext
        var fingerprint: [String]
    }

    let settings: TLSSettings
    private let state: Mutex<State>

    init(_ settings: TLSSettings) throws {
        self.settings = settings
        let material = try Self.readMaterial(settings)
        self.state = Mutex(State(context: try Self.makeContext(settings, material), fingerprint: material))
    }

    /// The context for a connection being accepted now.
    var context: NIOSSLContext { state.withLock { $0.context } }

    /// Whether any PEM comes from a file, i.e. whether polling makes sense.
    var watchesFiles: Bool {
        [settings.certificateChain.path, settings.privateKey.path, settings.clientCertificates.ca?.path]
            .contains { $0 != nil }
    }

    enum ReloadOutcome: Equatable {
        case unchanged
        case reloaded
        case failed(String)
    }

    /// Re-reads the files; when their content changed, builds and installs a new context.
    func reloadIfChanged() -> ReloadOutcome {
        let material: [String]
        do {
            material = try Self.readMaterial(settings)
        } catch {
            return .failed("\(error)")
        }
        if state.withLock({ $0.fingerprint == material }) { return .unchanged }
        do {
            let context = try Self.makeContext(settings, material)
            state.withLock { $0 = State(context: context, fingerprint: material) }
            return .reloaded
        } catch {
            return .failed("\(error)")
        }
    }

    /// [certificate chain, key, CA or ""]: compared whole to detect any change.
    private static func readMaterial(_ s: TLSSettings) throws -> [String] {
        [
            try s.certificateChain.load("the certificate chain"), try s.privateKey.load("the private key"),
            try s.clientCertificates.ca?.load("the client CA bundle") ?? "",
        ]
    }

    private static func makeContext(_ s: TLSSettings, _ material: [String]) throws -> NIOSSLContext {
        do {
            let chain = try NIOSSLCertificate.fromPEMBytes(Array(material[0].utf8))
            guard !chain.isEmpty else {
                throw HTTPSServerError.invalidTLSMaterial("the certificate file holds no PEM certificate")
            }
            let key = try NIOSSLPrivateKey(bytes: Array(material[1].utf8), format: .pem)
            var config = TLSConfiguration.makeServerConfiguration(
                certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
            config.minimumTLSVersion = .tlsv12
            config.applicationProtocols = ["http/1.1"]
            // After its close_notify the server need not hear the client's (RFC 8446 6.1), and
            // NIOSSL's default 5 s wait for it held every shutdown that long when a client
            // did not answer.
            config.shutdownTimeout = .milliseconds(500)
            switch s.clientCertificates {
            case .none:
                config.certificateVerification = .none
            case .optional:
                config.certificateVerification = .optionalVerification
                config.trustRoots = .certificates(try caCertificates(material[2]))
            case .required:
                config.certificateVerification = .noHostnameVerification
                config.trustRoots = .certificates(try caCertificates(material[2]))
            }
            return try NIOSSLContext(configuration: config)
        } catch let error as HTTPSServerError {
            throw error
        } catch {
            throw HTTPSServerError.invalidTLSMaterial(
                "\(error) (does the key belong to the certificate, and are both PEM?)")
        }
    }

    private static func caCertificates(_ pem: String) throws -> [NIOSSLCertificate] {
        let cas = try NIOSSLCertificate.fromPEMBytes(Array(pem.utf8))
        guard !cas.isEmpty else {
            throw HTTPSServerError.invalidTLSMaterial("the client CA file holds no PEM certificate")
        }
        return cas
    }
}
