import CCurl
import Foundation
import KubeClient

// The one Swift file that touches libcurl's C pointers. Everything else talks to `CurlHandle`
// and `CurlTransfer`, which are plain Swift objects.

/// Receives one transfer's callbacks (status, headers, body chunks) and answers "stop?".
///
/// Why a class: libcurl calls back with an opaque pointer; an unretained reference to this object
/// is that pointer, valid for the duration of `CurlHandle.perform`.
final class CurlTransfer {
    private(set) var status = 0
    private(set) var headers: [(name: String, value: String)] = []
    private var headDelivered = false
    private let onHead: (Int, [(name: String, value: String)]) -> Void
    private let onBody: (Data) -> Void
    private let isCancelled: () -> Bool

    init(
        onHead: @escaping (Int, [(name: String, value: String)]) -> Void = { _, _ in },
        onBody: @escaping (Data) -> Void, isCancelled: @escaping () -> Bool
    ) {
        self.onHead = onHead
        self.onBody = onBody
        self.isCancelled = isCancelled
    }

    fileprivate func receiveHeaderLine(_ line: String) {
        let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
        if trimmed.hasPrefix("HTTP/") {
            // A new header block (after 100 Continue, or a retried auth): start over.
            let parts = trimmed.split(separator: " ")
            status = parts.count > 1 ? Int(parts[1]) ?? 0 : 0
            headers = []
        } else if trimmed.isEmpty {
            if status >= 200, !headDelivered {
                headDelivered = true
                onHead(status, headers)
            }
        } else if let colon = trimmed.firstIndex(of: ":") {
            let name = String(trimmed[..<colon]).trimmingCharacters(in: .whitespaces)
            let value = String(trimmed[trimmed.index(after: colon)...]).trimmingCharacters(in: .whitespaces)
            headers.append((name, value))
        }
    }

    fileprivate func receiveBody(_ data: Data) {
        if !headDelivered, status >= 200 {
            headDelivered = true
            onHead(status, headers)
        }
        onBody(data)
    }

    fileprivate var shouldAbort: Bool { isCancelled() }
}

/// How a transfer ended below HTTP: fine, or a curl error code with its explanation.
enum CurlOutcome: Equatable {
    case completed(status: Int)
    case failed(code: Int, detail: String)
}

/// One libcurl easy handle. It keeps its connection cache between transfers (keep-alive, TLS
/// session reuse), so handles are pooled per host by `CurlHandlePool`.
///
/// Not thread-safe: one transfer at a time, which the pool guarantees.
final class CurlHandle {
    /// libcurl is opened on the first transfer (see the CCurl shim); nil once it is usable,
    /// else why not.
    static let loadFailure: String? = {
        if let error = ks_curl_load() { return "cannot load libcurl: \(String(cString: error))" }
        return ks_curl_global_init(3) == CURLE_OK ? nil : "libcurl could not be initialised"  // CURL_GLOBAL_ALL
    }()

    private let easy: UnsafeMutableRawPointer
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init?() {
        guard Self.loadFailure == nil, let easy = ks_curl_easy_init() else { return nil }
        self.easy = easy
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE) + 1)
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE) + 1)
    }

    deinit {
        ks_curl_easy_cleanup(easy)
        errorBuffer.deallocate()
    }

    /// Runs one transfer to completion on the calling thread (blocking).
    func perform(_ request: HTTPRequest, transfer: CurlTransfer) -> CurlOutcome {
        ks_curl_easy_reset(easy)  // keeps live connections and the TLS session cache
        errorBuffer[0] = 0
        var headerList: UnsafeMutablePointer<curl_slist>?
        var connectTo: UnsafeMutablePointer<curl_slist>?
        defer {
            ks_curl_slist_free_all(headerList)
            ks_curl_slist_free_all(connectTo)
        }
        var setupFailure: CURLcode = CURLE_OK
        func check(_ code: CURLcode) { if code != CURLE_OK, setupFailure == CURLE_OK { setupFailure = code } }

        var url = request.url
        var headers = request.headers
        if let serverName = request.tls.serverName, var components = URLComponents(string: request.url),
            let host = components.host
        {
            // tls-server-name: connect to the real host, but use `serverName` for SNI and verification.
            let port = components.port ?? (components.scheme == "http" ? 80 : 443)
            let originalHost = components.port.map { "\(host):\($0)" } ?? host
            components.host = serverName
            if let rewritten = components.string {
                url = rewritten
                connectTo = ks_curl_slist_append(nil, "\(serverName):\(port):\(host):\(port)")
                check(ks_curl_setopt_slist(easy, CURLOPT_CONNECT_TO, connectTo))
                headers.append(("Host", originalHost))
            }
        }
        check(ks_curl_setopt_pointer(easy, CURLOPT_ERRORBUFFER, errorBuffer))
        check(ks_curl_setopt_string(easy, CURLOPT_URL, url))
        check(ks_curl_setopt_long(easy, CURLOPT_NOSIGNAL, 1))
        check(ks_curl_setopt_long(easy, CURLOPT_TCP_KEEPALIVE, 1))
        check(ks_curl_setopt_long(easy, CURLOPT_HTTP_VERSION, Int(CURL_HTTP_VERSION_2TLS)))
        check(ks_curl_setopt_long(easy, CURLOPT_FOLLOWLOCATION, 0))
        check(ks_curl_setopt_long(easy, CURLOPT_CONNECTTIMEOUT_MS, milliseconds(request.connectTimeout)))
        if let timeout = request.timeout, timeout > 0 {
            check(ks_curl_setopt_long(easy, CURLOPT_TIMEOUT_MS, max(milliseconds(timeout), 1)))
        }
        // Proxies: only what the caller decided; "" disables curl's own environment lookup.
        check(ks_curl_setopt_string(easy, CURLOPT_PROXY, request.proxy ?? ""))
        check(ks_curl_setopt_string(easy, CURLOPT_NOPROXY, ""))
        check(ks_curl_setopt_long(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1))

        // TLS.
        let tls = request.tls
        check(ks_curl_setopt_long(easy, CURLOPT_SSL_VERIFYPEER, tls.insecureSkipVerify ? 0 : 1))
        check(ks_curl_setopt_long(easy, CURLOPT_SSL_VERIFYHOST, tls.insecureSkipVerify ? 0 : 2))
        if let ca = tls.certificateAuthorityPEM {
            // Trust exactly this CA, not the system store as well (kubectl's behaviour).
            check(ks_curl_setopt_string(easy, CURLOPT_CAINFO, nil))
            check(ks_curl_setopt_string(easy, CURLOPT_CAPATH, nil))
            ca.withUnsafeBytes { check(ks_curl_setopt_blob(easy, CURLOPT_CAINFO_BLOB, $0.baseAddress, $0.count)) }
        }
        if let certificate = tls.clientCertificatePEM, let key = tls.clientKeyPEM {
            check(ks_curl_setopt_string(easy, CURLOPT_SSLCERTTYPE, "PEM"))
            certificate.withUnsafeBytes {
                check(ks_curl_setopt_blob(easy, CURLOPT_SSLCERT_BLOB, $0.baseAddress, $0.count))
            }
            check(ks_curl_setopt_string(easy, CURLOPT_SSLKEYTYPE, "PEM"))
            key.withUnsafeBytes { check(ks_curl_setopt_blob(easy, CURLOPT_SSLKEY_BLOB, $0.baseAddress, $0.count)) }
        }

        // Method and body.
        switch request.method {
        case "GET":
            check(ks_curl_setopt_long(easy, CURLOPT_HTTPGET, 1))
        case "HEAD":
            check(ks_curl_setopt_long(easy, CURLOPT_NOBODY, 1))
        default:
            check(ks_curl_setopt_string(easy, CURLOPT_CUSTOMREQUEST, request.method))
        }
        if let body = request.body {
            check(ks_curl_setopt_offt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)))
            if body.isEmpty {
                check(ks_curl_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, ""))
            } else {
                body.withUnsafeBytes {
                    check(
                        ks_curl_setopt_pointer(
                            easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0.baseAddress)))
                }
            }
            headers.append(("Expect", ""))  // no 100-continue round trip
        }
        for (name, value) in headers {
            // "Name;" is curl's spelling of a header with an empty value; "Name:" removes it.
            let line = value.isEmpty ? (name == "Expect" ? "Expect:" : "\(name);") : "\(name): \(value)"
            headerList = ks_curl_slist_append(headerList, line)
        }
        check(ks_curl_setopt_slist(easy, CURLOPT_HTTPHEADER, headerList))

        // Callbacks.
        let context = Unmanaged.passUnretained(transfer).toOpaque()
        check(ks_curl_setopt_write_cb(easy, CURLOPT_WRITEFUNCTION, curlWriteBody))
        check(ks_curl_setopt_pointer(easy, CURLOPT_WRITEDATA, context))
        check(ks_curl_setopt_write_cb(easy, CURLOPT_HEADERFUNCTION, curlWriteHeader))
        check(ks_curl_setopt_pointer(easy, CURLOPT_HEADERDATA, context))
        check(ks_curl_setopt_xferinfo_cb(easy, curlProgress))
        check(ks_curl_setopt_pointer(easy, CURLOPT_XFERINFODATA, context))
        check(ks_curl_setopt_long(easy, CURLOPT_NOPROGRESS, 0))

        if setupFailure != CURLE_OK {
            return .failed(
                code: Int(setupFailure.rawValue),
                detail: "cannot configure the request: \(String(cString: ks_curl_easy_strerror(setupFailure)))")
        }
        let code = withExtendedLifetime(transfer) { ks_curl_easy_perform(easy) }
        guard code == CURLE_OK else {
            let buffered = String(cString: errorBuffer)
            let detail = buffered.isEmpty ? String(cString: ks_curl_easy_strerror(code)) : buffered
            return .failed(code: Int(code.rawValue), detail: detail)
        }
        var status = 0
        _ = ks_curl_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return .completed(status: status)
    }
}

/// Seconds to curl's milliseconds, clamped (NaN, negative or huge values must not trap); 0 means
/// "no limit" to curl.
private func milliseconds(_ seconds: TimeInterval) -> Int {
    guard seconds.isFinite, seconds > 0 else { return 0 }
    return Int(min(seconds * 1000, Double(Int32.max)))
}

private func curlWriteBody(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let pointer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    transfer.receiveBody(Data(bytes: pointer, count: size * count))
    return size * count
}

private func curlWriteHeader(
    _ pointer: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int,
    _ context: UnsafeMutableRawPointer?
) -> Int {
    guard let pointer, let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    let bytes = UnsafeRawBufferPointer(start: pointer, count: size * count)
    transfer.receiveHeaderLine(String(decoding: bytes, as: UTF8.self))
    return size * count
}

private func curlProgress(
    _ context: UnsafeMutableRawPointer?, _ dlTotal: curl_off_t, _ dlNow: curl_off_t,
    _ ulTotal: curl_off_t, _ ulNow: curl_off_t
) -> Int32 {
    guard let context else { return 0 }
    let transfer = Unmanaged<CurlTransfer>.fromOpaque(context).takeUnretainedValue()
    return transfer.shouldAbort ? 1 : 0
}
