import Foundation
import KubeClient
import NIOCore
import NIOHTTP1
import NIOSSL
import Testing
@testable import KubeNIOTransport

@Suite("NIOTransport pure logic: URLs, request heads, error mapping")
struct PureLogicTests {
    @Test func parsesURLsWithDefaultPortsAndIPv6Literals() throws {
        let https = try RequestTarget.parse("https://api.example:6443/api/v1/pods?watch=true&labelSelector=a%3Db")
        #expect(
            https
                == RequestTarget(
                    scheme: "https", host: "api.example", port: 6443,
                    pathAndQuery: "/api/v1/pods?watch=true&labelSelector=a%3Db", hostHeader: "api.example:6443"))
        let defaults = try RequestTarget.parse("https://api.example")
        #expect(defaults.port == 443 && defaults.pathAndQuery == "/" && defaults.hostHeader == "api.example")
        #expect(try RequestTarget.parse("http://h/x").port == 80)
        let v6 = try RequestTarget.parse("https://[fd00::1]:8443/api")
        #expect(v6.host == "fd00::1" && v6.port == 8443 && v6.hostHeader == "[fd00::1]:8443")
        // Errors name the server as the curl transport does: the URL's port only when given.
        #expect(TransportError.server(of: "https://[fd00::1]:8443/api") == "https://[fd00::1]:8443")
        #expect(TransportError.server(of: "https://api.example/api") == "https://api.example")
    }

    @Test(arguments: ["", "api.example:6443", "ftp://h/x", "https:///nohost", "https://h:70000/"])
    func rejectsWhatIsNotAnHTTPURL(_ url: String) {
        #expect(throws: TransportError.self) { try RequestTarget.parse(url) }
    }

    @Test func sniNameIsTheServerNameOrANonIPHost() {
        #expect(RequestTarget.sniName(host: "10.0.0.1", serverName: "kubernetes") == "kubernetes")
        #expect(RequestTarget.sniName(host: "10.0.0.1", serverName: nil) == nil)
        #expect(RequestTarget.sniName(host: "::1", serverName: nil) == nil)
        #expect(RequestTarget.sniName(host: "api.example", serverName: "") == "api.example")
    }

    @Test func headKeepsHeaderOrderAndRepeatsAndFramesTheBody() throws {
        let target = try RequestTarget.parse("https://127.0.0.1:6443/api?x=1")
        let head = RequestTarget.head(
            method: "patch", target: target,
            headers: [
                ("Accept", "application/json"), ("Impersonate-Group", "a"),
                ("Impersonate-Group", "b"), ("Content-Length", "999"), ("Expect", ""),
            ],
            bodyLength: 12)
        #expect(head.method == .PATCH)
        #expect(head.uri == "/api?x=1")
        #expect(
            head.headers.map(\.name) == ["Host", "Accept", "Impersonate-Group", "Impersonate-Group", "Content-Length"])
        #expect(head.headers["Host"] == ["127.0.0.1:6443"])
        #expect(head.headers["Impersonate-Group"] == ["a", "b"])
        #expect(head.headers["Content-Length"] == ["12"])
        #expect(!head.headers.contains(name: "Accept-Encoding"))

        let get = RequestTarget.head(method: "GET", target: target, headers: [], bodyLength: nil)
        #expect(!get.headers.contains(name: "Content-Length"))
        let emptyPost = RequestTarget.head(method: "POST", target: target, headers: [], bodyLength: nil)
        #expect(emptyPost.headers["Content-Length"] == ["0"])
        let ownHost = RequestTarget.head(method: "GET", target: target, headers: [("host", "other")], bodyLength: nil)
        #expect(ownHost.headers["Host"] == ["other"])
    }

    @Test func connectionKeysSeparateTLSIdentities() throws {
        let target = try RequestTarget.parse("https://API.example:6443/")
        let plain = TLSOptions(certificateAuthorityPEM: Data("ca".utf8))
        var withCert = plain
        withCert.clientCertificatePEM = Data("c".utf8)
        withCert.clientKeyPEM = Data("k".utf8)
        #expect(
            ConnectionKey(target: target, tls: plain)
                == ConnectionKey(target: try RequestTarget.parse("https://api.example:6443/x"), tls: plain))
        #expect(ConnectionKey(target: target, tls: plain) != ConnectionKey(target: target, tls: withCert))
        let http = try RequestTarget.parse("http://api.example:6443/")
        #expect(
            ConnectionKey(target: http, tls: plain) == ConnectionKey(target: http, tls: withCert),
            "TLS settings do not matter for http")
    }

    @Test func mapsNIOErrorsToTransportKinds() {
        #expect(NIOErrorMapping.kind(of: IOError(errnoCode: ECONNREFUSED, reason: "connect")) == .connectionRefused)
        #expect(NIOErrorMapping.kind(of: IOError(errnoCode: EHOSTUNREACH, reason: "connect")) == .connectionRefused)
        #expect(NIOErrorMapping.kind(of: IOError(errnoCode: ECONNRESET, reason: "read")) == .connectionReset)
        #expect(NIOErrorMapping.kind(of: IOError(errnoCode: EPIPE, reason: "write")) == .connectionReset)
        #expect(NIOErrorMapping.kind(of: ChannelError.connectTimeout(.seconds(1))) == .timeout)
        #expect(NIOErrorMapping.kind(of: ChannelError.eof) == .connectionReset)
        #expect(NIOErrorMapping.kind(of: ChannelError.ioOnClosedChannel) == .connectionReset)
        #expect(NIOErrorMapping.kind(of: NIOSSLError.uncleanShutdown) == .connectionReset)
        #expect(NIOErrorMapping.kind(of: NIOSSLError.failedToLoadPrivateKey) == .clientCertificateInvalid)
        #expect(NIOErrorMapping.kind(of: NIOSSLExtraError.failedToValidateHostname) == .serverCertificateUntrusted)
        #expect(NIOErrorMapping.kind(of: HTTPParserError.invalidEOFState) == .connectionReset)
        #expect(NIOErrorMapping.kind(of: CancellationError()) == .cancelled)
        #expect(NIOErrorMapping.kind(of: TransportError(server: "", kind: .proxy, detail: "")) == .proxy)
        #expect(NIOErrorMapping.kind(of: NSError(domain: "x", code: 1)) == .other)
    }

    @Test(arguments: [
        (
            "error:1000007d:SSL routines:OPENSSL_internal:CERTIFICATE_VERIFY_FAILED",
            TransportError.Kind.serverCertificateUntrusted
        ),
        ("error:10000474:SSL routines:OPENSSL_internal:TLSV13_ALERT_CERTIFICATE_REQUIRED", .clientCertificateRejected),
        ("error:10000418:SSL routines:OPENSSL_internal:TLSV1_ALERT_UNKNOWN_CA", .clientCertificateRejected),
        ("error:10000412:SSL routines:OPENSSL_internal:SSLV3_ALERT_BAD_CERTIFICATE", .clientCertificateRejected),
        ("error:10000410:SSL routines:OPENSSL_internal:SSLV3_ALERT_HANDSHAKE_FAILURE", .clientCertificateRejected),
        ("error:0b000074:X.509 certificate routines:OPENSSL_internal:KEY_VALUES_MISMATCH", .clientCertificateInvalid),
        ("error:100000f7:SSL routines:OPENSSL_internal:WRONG_VERSION_NUMBER", .tlsHandshake),
    ])
    func classifiesBoringSSLReasons(text: String, kind: TransportError.Kind) {
        #expect(NIOErrorMapping.kind(tlsFailure: text) == kind)
    }

    @Test func transportErrorsCarryTheServerAndNIOsText() {
        let error = NIOErrorMapping.error(
            server: "https://10.0.0.1:6443", IOError(errnoCode: ECONNREFUSED, reason: "connect"))
        #expect(error.kind == .connectionRefused)
        #expect(error.server == "https://10.0.0.1:6443")
        #expect(error.detail.contains("connect"))
        let filled = NIOErrorMapping.error(
            server: "https://h:1", TransportError(server: "", kind: .timeout, detail: "d"))
        #expect(filled.server == "https://h:1" && filled.kind == .timeout)
    }

    @Test func timeoutsConvertSafely() {
        #expect(NIOTransport.amount(.nan) == nil)
        #expect(NIOTransport.amount(-1) == nil)
        #expect(NIOTransport.amount(0) == nil)
        #expect(NIOTransport.amount(1.5) == .milliseconds(1500))
        #expect(NIOTransport.amount(.infinity) == nil)
        #expect(NIOTransport.amount(1e300) != nil)
    }
}
