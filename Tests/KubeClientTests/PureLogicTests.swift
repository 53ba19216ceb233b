import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeClient
@testable import KubeCurl

/// The pieces without I/O: backoff, parsing, error mapping.
@Suite struct PureLogicTests {
    @Test func backoffGrowsWithJitterAndHonoursRetryAfter() {
        let policy = RetryPolicy(maxAttempts: 5, baseDelay: 0.2, maxDelay: 1, maxRetryAfter: 10)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, unit: 0) == 0.1)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, unit: 1) == 0.2)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, unit: 1) == 0.8)
        #expect(policy.delay(afterAttempt: 6, retryAfter: nil, unit: 1) == 1)  // capped
        #expect(policy.delay(afterAttempt: 2, retryAfter: 3, unit: 0.5) == 3)
        #expect(policy.delay(afterAttempt: 2, retryAfter: 3600, unit: 0.5) == 10)
        #expect(RetryPolicy.isRetryable(status: 429, hasRetryAfter: false))
        #expect(RetryPolicy.isRetryable(status: 503, hasRetryAfter: false))
        #expect(!RetryPolicy.isRetryable(status: 500, hasRetryAfter: false))
        #expect(RetryPolicy.isRetryable(status: 500, hasRetryAfter: true))
        #expect(!RetryPolicy.isRetryable(status: 409, hasRetryAfter: true))
    }

    @Test func parsesRetryAfter() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(RetryPolicy.parseRetryAfter("7") == 7)
        #expect(RetryPolicy.parseRetryAfter(" 0 ") == 0)
        #expect(RetryPolicy.parseRetryAfter("Sun, 06 Nov 1994 08:49:47 GMT", now: now) == 10)
        #expect(RetryPolicy.parseRetryAfter("soon") == nil)
        #expect(RetryPolicy.parseRetryAfter(nil) == nil)
    }

    @Test func parsesRequestTimeoutLikeKubectl() throws {
        #expect(try KubeConfigOptions.parseRequestTimeout("5") == 5)
        #expect(try KubeConfigOptions.parseRequestTimeout("0") == nil)
        #expect(try KubeConfigOptions.parseRequestTimeout("1m30s") == 90)
        #expect(try KubeConfigOptions.parseRequestTimeout("250ms") == 0.25)
        #expect(throws: KubeConfigError.self) { try KubeConfigOptions.parseRequestTimeout("5 minutes") }
    }

    @Test func splitsLinesAcrossChunks() {
        var splitter = LineSplitter()
        #expect(splitter.append(Data("{\"a\":".utf8)).isEmpty)
        let lines = splitter.append(Data("1}\n\n{\"b\":2}\r\n{\"c\"".utf8))
        #expect(lines.map { String(decoding: $0, as: UTF8.self) } == ["{\"a\":1}", "{\"b\":2}\r"])
        #expect(splitter.finish().map { String(decoding: $0, as: UTF8.self) } == "{\"c\"")
    }

    @Test func decodesWatchEvents() throws {
        let event = try WatchEvent.decode(
            line: Data(
                #"{"type":"MODIFIED","object":{"kind":"Deployment","metadata":{"name":"web","resourceVersion":"42"},"x-unknown":{"kept":true}}}"#
                    .utf8))
        #expect(event.type == .modified)
        #expect(event.resourceVersion == "42")
        let object = try #require(try JSONSerialization.jsonObject(with: event.object) as? [String: Any])
        #expect((object["x-unknown"] as? [String: Any])?["kept"] as? Bool == true)
        #expect(throws: KubeAPIError.self) { try WatchEvent.decode(line: Data("not json".utf8)) }
        #expect(throws: KubeAPIError.self) {
            try WatchEvent.decode(line: Data(#"{"type":"EXPLODED","object":{}}"#.utf8))
        }
    }

    @Test func mapsCurlErrorsToPlainWords() {
        #expect(
            CurlErrorMapping.kind(code: 60, detail: "SSL certificate problem: unable to get local issuer certificate")
                == .serverCertificateUntrusted)
        #expect(CurlErrorMapping.kind(code: 58, detail: "unable to set private key file") == .clientCertificateInvalid)
        #expect(
            CurlErrorMapping.kind(
                code: 56,
                detail: "OpenSSL SSL_read: error:0A00045C:SSL routines::tlsv13 alert certificate required, errno 0")
                == .clientCertificateRejected)
        #expect(
            CurlErrorMapping.kind(code: 35, detail: "error:0A000418:SSL routines::tlsv1 alert unknown ca")
                == .clientCertificateRejected)
        #expect(CurlErrorMapping.kind(code: 7, detail: "Failed to connect to 127.0.0.1 port 1") == .connectionRefused)
        #expect(CurlErrorMapping.kind(code: 52, detail: "Empty reply from server") == .connectionReset)
        #expect(CurlErrorMapping.kind(code: 56, detail: "CONNECT tunnel failed, response 403") == .proxy)
        #expect(CurlErrorMapping.kind(code: 28, detail: "Operation timed out after 500 milliseconds") == .timeout)
        let error = CurlErrorMapping.error(server: "https://127.0.0.1:6443", code: 7, detail: "Failed to connect")
        #expect(
            error.description
                == "Unable to connect to the server https://127.0.0.1:6443: the connection was refused or the host is unreachable (is the API server running and the address right?): Failed to connect (curl error 7)"
        )
    }

    @Test func noProxyRulesFollowGo() {
        #expect(ProxyResolver.matchesNoProxy(host: "api.corp.example", port: 443, noProxy: "corp.example"))
        #expect(ProxyResolver.matchesNoProxy(host: "api.corp.example", port: 443, noProxy: " .corp.example "))
        #expect(!ProxyResolver.matchesNoProxy(host: "notcorp.example", port: 443, noProxy: "corp.example"))
        #expect(ProxyResolver.matchesNoProxy(host: "10.1.2.3", port: 6443, noProxy: "10.0.0.0/8"))
        #expect(!ProxyResolver.matchesNoProxy(host: "11.1.2.3", port: 6443, noProxy: "10.0.0.0/8"))
        #expect(ProxyResolver.matchesNoProxy(host: "k.example", port: 6443, noProxy: "k.example:6443"))
        #expect(!ProxyResolver.matchesNoProxy(host: "k.example", port: 443, noProxy: "k.example:6443"))
        #expect(ProxyResolver.matchesNoProxy(host: "anything", port: 1, noProxy: "*"))
        let environment = ["HTTPS_PROXY": "http://p:1"]
        #expect(
            ProxyResolver.proxy(forServer: "https://127.0.0.1:6443", proxyURL: nil, environment: environment) == nil)
        #expect(
            ProxyResolver.proxy(forServer: "https://k.example", proxyURL: nil, environment: environment) == "http://p:1"
        )
        #expect(ProxyResolver.proxy(forServer: "http://k.example", proxyURL: nil, environment: environment) == nil)
        #expect(
            ProxyResolver.proxy(forServer: "https://127.0.0.1", proxyURL: "socks5://s:1", environment: [:])
                == "socks5://s:1")
    }

    @Test func parsesExecCredentials() throws {
        let v1 = "client.authentication.k8s.io/v1"
        let good = try ExecCredential.parse(
            Data(
                #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t","expirationTimestamp":"2030-01-02T03:04:05Z"}}"#
                    .utf8),
            apiVersion: v1, command: "aws", user: "eks")
        #expect(good.token == "t")
        #expect(good.expiration == Date(timeIntervalSince1970: 1_893_553_445))
        #expect(good.isValid(at: Date(timeIntervalSince1970: 1_893_553_444)))
        #expect(!good.isValid(at: Date(timeIntervalSince1970: 1_893_553_445)))
        func message(_ text: String) -> String? {
            do {
                _ = try ExecCredential.parse(Data(text.utf8), apiVersion: v1, command: "aws", user: "eks")
                return nil
            } catch {
                return "\(error)"
            }
        }
        #expect(
            message("oops")
                == "error: exec credential plugin \"aws\" for user \"eks\": output is not an ExecCredential JSON object: \"oops\""
        )
        #expect(
            message(
                #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1beta1","status":{"token":"t"}}"#
            )
                == "error: exec credential plugin \"aws\" for user \"eks\": output has apiVersion \"client.authentication.k8s.io/v1beta1\", but the kubeconfig asks for client.authentication.k8s.io/v1"
        )
        #expect(
            message(#"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{}}"#)
                == "error: exec credential plugin \"aws\" for user \"eks\": status has neither token nor clientCertificateData/clientKeyData"
        )
        #expect(
            message(
                #"{"kind":"ExecCredential","apiVersion":"client.authentication.k8s.io/v1","status":{"token":"t","expirationTimestamp":"tomorrow"}}"#
            )
                == "error: exec credential plugin \"aws\" for user \"eks\": status.expirationTimestamp \"tomorrow\" is not an RFC 3339 time"
        )
        let info = ExecCredential.execInfo(
            apiVersion: v1, interactive: false, cluster: ExecClusterInfo(server: "https://k:6443"))
        #expect(
            info
                == #"{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","spec":{"cluster":{"server":"https://k:6443"},"interactive":false}}"#
        )
    }

    @Test func listPageReadsItsMetadataAndNamesWhatIsWrong() throws {
        struct Item: Decodable { var metadata: [String: String] }
        let page = try KubeListPage<Item>.decode(
            Data(
                #"{"kind":"PodList","metadata":{"resourceVersion":"7","continue":"","remainingItemCount":0},"items":[{"metadata":{"name":"a"}}]}"#
                    .utf8), path: "/p")
        #expect(page.items.map(\.metadata) == [["name": "a"]])
        #expect(page.metadata == ListMeta(resourceVersion: "7", continue: "", remainingItemCount: 0))
        let empty = try KubeListPage<Item>.decode(Data(#"{"kind":"PodList","items":null}"#.utf8), path: "/p")
        #expect(empty.items.isEmpty && empty.metadata == ListMeta())

        func failure(_ body: String) -> String {
            switch Result(catching: { try KubeListPage<Item>.decode(Data(body.utf8), path: "/api/v1/pods") }) {
            case .success: return "decoded"
            case .failure(let error as KubeAPIError): return error.reason + ": " + error.message
            case .failure(let error): return "\(error)"
            }
        }
        #expect(
            failure("<html>").hasPrefix(
                "BadResponse: the server's answer to GET /api/v1/pods could not be read: it is not a JSON list"))
        #expect(
            failure("[1]").hasPrefix(
                "BadResponse: the server's answer to GET /api/v1/pods could not be read: it is not a JSON list"))
        #expect(
            failure(#"{"items":[{"metadata":{}},{"nometa":1}]}"#)
                == #"BadResponse: the server's answer to GET /api/v1/pods could not be read: items[1]: "metadata" is missing"#
        )
        #expect(
            failure(#"{"metadata":{"resourceVersion":5},"items":[]}"#).contains(
                "could not be read: metadata.resourceVersion: "))
    }
}

extension PureLogicTests {
    @Test func queryValuesArePercentEncoded() throws {
        let kube = KubeClient(config: ClientConfig(server: "https://k.example:6443/prefix/"))
        let url = try kube.makeURL(
            path: "/api/v1/pods",
            query: [
                URLQueryItem(name: "labelSelector", value: "app=web,tier notin (a b)"),
                URLQueryItem(name: "continue", value: "eyJ+/="),
            ])
        #expect(
            url
                == "https://k.example:6443/prefix/api/v1/pods?labelSelector=app%3Dweb%2Ctier%20notin%20%28a%20b%29&continue=eyJ%2B%2F%3D"
        )
        #expect(throws: KubeConfigError.self) { try kube.makeURL(path: "api", query: []) }
    }
}

extension PureLogicTests {
    @Test func execCredentialWithSomeoneElsesKeyIsRejected() throws {
        let pki = try TestPKI.get()
        let output = try JSONSerialization.data(withJSONObject: [
            "kind": "ExecCredential", "apiVersion": "client.authentication.k8s.io/v1",
            "status": [
                "clientCertificateData": pki.client.certificatePEM, "clientKeyData": pki.rsaClient.privateKeyPEM,
            ],
        ])
        let error = #expect(throws: ExecPluginError.self) {
            try ExecCredential.parse(
                output, apiVersion: "client.authentication.k8s.io/v1", command: "kubelogin", user: "aks",
                keyPairCheck: .openSSL)
        }
        #expect(error?.message == "output: status.clientKeyData is not the private key of status.clientCertificateData")
    }
}
