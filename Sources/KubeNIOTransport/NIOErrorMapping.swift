import Foundation
import KubeClient
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Maps what SwiftNIO and NIOSSL throw to `TransportError.Kind`, the classes the curl transport
/// reports too.
///
/// Why pure: the kind decides what users read ("the server requires a client certificate") and
/// whether `KubeClient` retries, so it must agree with libcurl's mapping and is tested on
/// constructed errors, without sockets.
enum NIOErrorMapping {
    /// The kind for any error seen while connecting or exchanging.
    static func kind(of error: any Error) -> TransportError.Kind {
        switch error {
        case let error as TransportError:
            return error.kind
        case is CancellationError:
            return .cancelled
        case let error as NIOConnectionError:
            // Happy eyeballs: resolution failed (no targets) or every address failed.
            if let first = error.connectionErrors.first { return kind(of: first.error) }
            if error.dnsAError != nil || error.dnsAAAAError != nil { return .hostNotFound }
            return .connectionRefused
        case is SocketAddressError.UnknownHost:
            return .hostNotFound
        case let error as IOError:
            return kind(errno: error.errnoCode)
        case let error as ChannelError:
            switch error {
            case .connectTimeout: return .timeout
            case .ioOnClosedChannel, .eof, .outputClosed, .inputClosed, .alreadyClosed: return .connectionReset
            default: return .other
            }
        case let error as HTTPParserError:
            // A body cut short by the server closing the connection.
            return error == .invalidEOFState ? .connectionReset : .other
        case let error as NIOSSLError:
            switch error {
            case .handshakeFailed(let inner):
                return kind(tlsFailure: String(describing: inner))
            case .failedToLoadCertificate, .failedToLoadPrivateKey:
                return .clientCertificateInvalid
            case .uncleanShutdown, .readInInvalidTLSState:
                return .connectionReset
            case .unableToValidateCertificate, .noCertificateToValidate, .cannotMatchULabel:
                return .serverCertificateUntrusted
            default:
                return .tlsHandshake
            }
        case let error as BoringSSLError:
            // Alerts read after the handshake (TLS 1.3 servers judge our certificate then).
            let kind = kind(tlsFailure: String(describing: error))
            return kind == .tlsHandshake ? .connectionReset : kind
        case let error as NIOSSLExtraError:
            if error == .failedToValidateHostname || error == .serverHostnameImpossibleToMatch {
                return .serverCertificateUntrusted
            }
            if error == .unknownPrivateKeyFileType { return .clientCertificateInvalid }
            return .tlsHandshake
        default:
            return .other
        }
    }

    /// Classifies BoringSSL's error text for a failed handshake (the error-stack reasons are
    /// stable names such as `CERTIFICATE_VERIFY_FAILED`).
    static func kind(tlsFailure text: String) -> TransportError.Kind {
        let upper = text.uppercased()
        let rejected = [
            "CERTIFICATE_REQUIRED", "ALERT_BAD_CERTIFICATE", "ALERT_UNKNOWN_CA", "ALERT_CERTIFICATE_UNKNOWN",
            "ALERT_HANDSHAKE_FAILURE", "ALERT_ACCESS_DENIED", "ALERT_CERTIFICATE_EXPIRED",
            "ALERT_UNSUPPORTED_CERTIFICATE", "ALERT_CERTIFICATE_REVOKED", "PEER_DID_NOT_RETURN_A_CERTIFICATE",
        ]
        if rejected.contains(where: { upper.contains($0) }) { return .clientCertificateRejected }
        if upper.contains("CERTIFICATE_VERIFY_FAILED") || upper.contains("CERTIFICATE VERIFY FAILED") {
            return .serverCertificateUntrusted
        }
        if upper.contains("KEY_VALUES_MISMATCH") || upper.contains("NO_PRIVATE_KEY_ASSIGNED") {
            return .clientCertificateInvalid
        }
        return .tlsHandshake
    }

    /// Socket errno values: refused/unreachable, reset, timed out.
    static func kind(errno code: CInt) -> TransportError.Kind {
        switch code {
        case ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL: return .connectionRefused
        case ECONNRESET, EPIPE, ECONNABORTED, ENOTCONN: return .connectionReset
        case ETIMEDOUT: return .timeout
        default: return .other
        }
    }

    /// A `TransportError` for `server`, keeping NIO's own text as the detail.
    static func error(server: String, _ error: any Error) -> TransportError {
        if var transportError = error as? TransportError {
            if transportError.server.isEmpty { transportError.server = server }
            return transportError
        }
        if error is CancellationError {
            return TransportError(server: server, kind: .cancelled, detail: "the calling task was cancelled")
        }
        return TransportError(server: server, kind: kind(of: error), detail: "\(error) (SwiftNIO)")
    }
}
