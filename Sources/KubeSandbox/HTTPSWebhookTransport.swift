import Foundation
import HTTPSServerKit

/// Calls webhooks over real HTTPS with the `caBundle` as the only trust root, like the
/// apiserver. Hostnames are verified; for IP-address URLs (`https://127.0.0.1:PORT`) the
/// chain is verified but not the IP SAN, because TLS SNI cannot carry an IP address.
public struct HTTPSWebhookTransport: WebhookTransport {
    public init() {}

    /// Closes the connection when the deadline passes, so a hung webhook cannot hold the request.
    final actor Deadline {
        var client: HTTPSClient?
        var expired = false
        func set(_ c: HTTPSClient) async {
            client = c
            if expired { await c.close() }
        }
        func expire() async {
            expired = true
            await client?.close()
        }
        var didExpire: Bool { expired }
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
        let deadline = Deadline()
        let timer = Task {
            try? await Task.sleep(for: .seconds(call.timeoutSeconds))
            if !Task.isCancelled { await deadline.expire() }
        }
        defer { timer.cancel() }
        do {
            let client = try await HTTPSClient.connect(host: host, port: port, tls: tls)
            await deadline.set(client)
            var headers = HTTPHeaders()
            headers.add(name: "Content-Type", value: "application/json")
            headers.add(name: "Accept", value: "application/json")
            headers.add(name: "Host", value: components.port.map { "\(host):\($0)" } ?? host)
            let response = try await client.send(.POST, target, headers: headers, body: ByteBuffer(bytes: call.body))
            await client.close()
            guard (200..<300).contains(Int(response.status.code)) else {
                throw WebhookCallError("Post \"\(call.url)\": the server responded with HTTP \(response.status.code): \(response.bodyString.prefix(200))")
            }
            return Data(response.body.readableBytesView)
        } catch let e as WebhookCallError {
            throw e
        } catch {
            if await deadline.didExpire {
                throw WebhookCallError("Post \"\(call.url)\": context deadline exceeded", isTimeout: true)
            }
            let text = "\(error)"
            if text.lowercased().contains("refused") {
                throw WebhookCallError("Post \"\(call.url)\": dial tcp \(host):\(port): connect: connection refused")
            }
            throw WebhookCallError("Post \"\(call.url)\": \(text)")
        }
    }
}
