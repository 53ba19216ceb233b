import Foundation
import KubeClient

/// Maps a libcurl error code and message to a `TransportError.Kind`.
///
/// Why pure: the mapping decides what users read ("the server requires a client certificate")
/// and whether a request is retried, so it is tested on its own. Codes are libcurl's `CURLcode`
/// values, stable across releases.
enum CurlErrorMapping {
    static func kind(code: Int, detail: String) -> TransportError.Kind {
        let text = detail.lowercased()
        let clientCertificateRejected =
            text.contains("certificate required") || text.contains("alert unknown ca")
            || text.contains("alert bad certificate") || text.contains("certificate unknown")
            || text.contains("alert handshake failure") || text.contains("peer did not return a certificate")
        switch code {
        case 5: return .proxy  // CURLE_COULDNT_RESOLVE_PROXY
        case 6: return .hostNotFound  // CURLE_COULDNT_RESOLVE_HOST
        case 7: return .connectionRefused  // CURLE_COULDNT_CONNECT
        case 28: return .timeout  // CURLE_OPERATION_TIMEDOUT
        case 42: return .cancelled  // CURLE_ABORTED_BY_CALLBACK
        case 58: return .clientCertificateInvalid  // CURLE_SSL_CERTPROBLEM
        case 60, 51: return .serverCertificateUntrusted  // CURLE_PEER_FAILED_VERIFICATION
        case 97: return .proxy  // CURLE_PROXY
        case 35:  // CURLE_SSL_CONNECT_ERROR
            if clientCertificateRejected { return .clientCertificateRejected }
            if text.contains("connect") && text.contains("proxy") { return .proxy }
            return .tlsHandshake
        case 52, 55, 56:  // GOT_NOTHING, SEND_ERROR, RECV_ERROR
            if clientCertificateRejected { return .clientCertificateRejected }
            if text.contains("connect tunnel") || text.contains("proxy") { return .proxy }
            return .connectionReset
        case 18: return .connectionReset  // CURLE_PARTIAL_FILE
        default:
            if text.contains("key values mismatch") || text.contains("unable to set private key") {
                return .clientCertificateInvalid
            }
            return .other
        }
    }

    static func error(server: String, code: Int, detail: String) -> TransportError {
        TransportError(server: server, kind: kind(code: code, detail: detail), detail: "\(detail) (curl error \(code))")
    }
}
