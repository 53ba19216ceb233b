import Foundation
import HTTPSServerKit

/// Calls webhooks over real HTTPS with the `caBundle` as the only trust root, like the
/// apiserver. Hostnames are verified; for IP-address URLs (`https://127.0.0.1:PORT`) the
/// chain is verified but not the IP SAN, because TLS SNI cannot carry an IP address.
public struct HTTPSWebhookTransport: WebhookTransport {
    public init() {}

    /// Resumes a continuation exactly once: whichever of answer and deadline comes first.
    final class Once: @unchecked Sendable {
        private let lock = NSLock()
        private var done = false
        func claim() -> Bool { lock.withLock { defer { done = true }; return !done } }
    }

    /// Holds the connection so the deadline can close it.
    final actor Connection {
        var client: HTTPSClient?
        var closed = false
        func set(_ c: HTTPSClient) async {
            client = c
            if closed { await c.close() }
        }
        func close() async {
            closed = true
            await client?.close()
        }
    }

    public func post(_ call: WebhookCall) async throws -> Data {
        guard let components = URLComponents(string: call.url), components.scheme == "https", let host = components.host else {
            throw WebhookCallError("Post \"\(call.url)\": unsupported protocol scheme (webhooks need https://)")
        }
        guard let ca = call.caBundlePEM, let caText = String(data: ca, encoding: .utf8) else {
            throw WebhookCallError("Post \"\(call.url)\": tls: failed to verify certificate: x509: certificate signed by unknown authority (the sandbox has no system roots; set clientConfig.caBundle)")
        }
        let port = components.port ?? 443
        let isIP = host.allSatisfy { $0.isNumber || $0 == "." || $0 == ":" }
        let tls = ClientTLS(trustRoots: .pem(caText), serverName: isIP ? nil : host)
        var target = components.percentEncodedPath.isEmpty ? "/" : components.percentEncodedPath
        if let q = components.percentEncodedQuery { target += "?" + q }
        let path = target
        let hostHeader = components.port.map { "\(host):\($0)" } ?? host
        let body = call.body
        let connection = Connection()
        let once = Once()
        let url = call.url
        let timeout = call.timeoutSeconds
        return try await withCheckedThrowingContinuation { (cont: CheckedContinuation<Data, any Error>) in
            let work = Task {
                do {
                    let client = try await HTTPSClient.connect(host: host, port: port, tls: tls)
                    await connection.set(client)
                    var headers = HTTPHeaders()
                    headers.add(name: "Content-Type", value: "application/json")
                    headers.add(name: "Accept", value: "application/json")
                    headers.add(name: "Host", value: hostHeader)
                    let response = try await client.send(.POST, path, headers: headers, body: ByteBuffer(bytes: body))
                    await connection.close()
                    guard (200..<300).contains(Int(response.status.code)) else {
                        throw WebhookCallError("Post \"\(url)\": the server responded with HTTP \(response.status.code): \(response.bodyString.prefix(200))")
                    }
                    if once.claim() { cont.resume(returning: Data(response.body.readableBytesView)) }
                } catch {
                    await connection.close()
                    if once.claim() { cont.resume(throwing: Self.describe(error, url: url, host: host, port: port)) }
                }
            }
            Task {
                try? await Task.sleep(for: .seconds(timeout))
                if once.claim() {
                    cont.resume(throwing: WebhookCallError("Post \"\(url)\": context deadline exceeded", isTimeout: true))
                    work.cancel()
                    await connection.close()
                }
            }
        }
    }

    static func describe(_ error: any Error, url: String, host: String, port: Int) -> WebhookCallError {
        if let e = error as? WebhookCallError { return e }
        let text = "\(error)"
        if text.lowercased().contains("refused") {
            return WebhookCallError("Post \"\(url)\": dial tcp \(host):\(port): connect: connection refused")
        }
        return WebhookCallError("Post \"\(url)\": \(text)")
    }
}
