import Foundation
import KubeClient
import Synchronization
import NIOSSL

/// NIOSSL client contexts built from `TLSOptions`, one per distinct options value.
///
/// Why a cache: building an `NIOSSLContext` parses PEM and, with the system trust store, reads
/// hundreds of certificates from disk. Every request of a client carries the same `TLSOptions`,
/// so the context is built once and shared by all its connections.
final class TLSContextCache: Sendable {
    private let contexts = Mutex<[TLSOptions: NIOSSLContext]>([:])

    /// How many contexts were built (diagnostics and tests).
    var count: Int { contexts.withLock { $0.count } }

    /// The context for `options`, built on first use. Throws `TransportError`:
    /// `.clientCertificateInvalid` for an unusable client certificate or key (bad PEM, a key
    /// that is not the certificate's), `.other` for an unreadable CA bundle.
    func context(for options: TLSOptions, server: String) throws -> NIOSSLContext {
        if let cached = contexts.withLock({ $0[options] }) { return cached }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: try Self.configuration(for: options, server: server))
        } catch let error as TransportError {
            throw error
        } catch {
            // BoringSSL refuses a key that does not belong to the certificate here.
            let hasClientIdentity = options.clientCertificatePEM != nil || options.clientKeyPEM != nil
            throw TransportError(
                server: server, kind: hasClientIdentity ? .clientCertificateInvalid : .other,
                detail: "cannot set up TLS: \(error) (SwiftNIO)")
        }
        return contexts.withLock { cache in
            if let raced = cache[options] { return raced }
            cache[options] = context
            return context
        }
    }

    /// The NIOSSL client configuration for `options`: TLS 1.2 or newer; trust exactly the given
    /// CA (else the system roots); full verification (chain and name) unless
    /// `insecureSkipVerify`; the client certificate chain and key when both are set.
    static func configuration(for options: TLSOptions, server: String) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        // Closing waits this long for the server's close_notify; aborted watches must not
        // hold their socket for NIOSSL's default 5 s.
        configuration.shutdownTimeout = .milliseconds(250)
        if options.insecureSkipVerify {
            configuration.certificateVerification = .none
        } else {
            configuration.certificateVerification = .fullVerification
        }
        if let ca = options.certificateAuthorityPEM {
            let certificates: [NIOSSLCertificate]
            do {
                certificates = try NIOSSLCertificate.fromPEMBytes(Array(ca))
            } catch {
                throw TransportError(
                    server: server, kind: .other,
                    detail: "the certificate-authority data is not PEM certificates: \(error) (SwiftNIO)")
            }
            guard !certificates.isEmpty else {
                throw TransportError(
                    server: server, kind: .other,
                    detail: "the certificate-authority data holds no PEM certificate")
            }
            configuration.trustRoots = .certificates(certificates)
        } else {
            configuration.trustRoots = .default
        }
        switch (options.clientCertificatePEM, options.clientKeyPEM) {
        case (let certificatePEM?, let keyPEM?):
            do {
                let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificatePEM))
                guard !chain.isEmpty else { throw NIOSSLError.failedToLoadCertificate }
                configuration.certificateChain = chain.map { .certificate($0) }
            } catch {
                throw TransportError(
                    server: server, kind: .clientCertificateInvalid,
                    detail: "the client certificate is not a PEM certificate: \(error) (SwiftNIO)")
            }
            do {
                configuration.privateKey = .privateKey(try NIOSSLPrivateKey(bytes: Array(keyPEM), format: .pem))
            } catch {
                throw TransportError(
                    server: server, kind: .clientCertificateInvalid,
                    detail: "the client key is not a PEM private key (PKCS#1, SEC1 or PKCS#8): \(error) (SwiftNIO)")
            }
        case (nil, nil):
            break
        default:
            throw TransportError(
                server: server, kind: .clientCertificateInvalid,
                detail: "a client certificate needs both the certificate and its key; only one is set")
        }
        return configuration
    }
}
