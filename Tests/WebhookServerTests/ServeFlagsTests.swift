import SingletonCore
import Testing
@testable import WebhookServer

@Suite("serve flags and environment variables")
struct ServeFlagsTests {
    let required: [ServeFlag: String] = [.tlsCertFile: "/tls/tls.crt", .tlsKeyFile: "/tls/tls.key"]

    @Test("defaults")
    func defaults() throws {
        let c = try ServeConfiguration.resolve(flags: required, environment: [:])
        #expect(c.settings.port == 8443)
        #expect(c.settings.validatePath == "/validate")
        #expect(c.settings.onLookupFailure == .allow)
        #expect(c.settings.limits.maxBodyBytes == 7 * 1024 * 1024)
        #expect(c.settings.metricsPort == nil)
        #expect(c.settings.shutdownGrace == .seconds(10))
        #expect(c.settings.shutdownDelay == .zero)
        #expect(c.parentLookup == .watch)
        #expect(c.logLevel == .info)
    }

    @Test("every flag has an environment variable; the flag wins over it")
    func environment() throws {
        let env = [
            "SINGLETON_WEBHOOK_TLS_CERT_FILE": "/env/crt", "SINGLETON_WEBHOOK_TLS_KEY_FILE": "/env/key",
            "SINGLETON_WEBHOOK_PORT": "9443", "SINGLETON_WEBHOOK_ON_LOOKUP_FAILURE": "deny",
            "SINGLETON_WEBHOOK_SHUTDOWN_GRACE": "1500ms", "SINGLETON_WEBHOOK_SHUTDOWN_DELAY": "5s",
            "SINGLETON_WEBHOOK_METRICS_PORT": "9090",
            "SINGLETON_WEBHOOK_NAMESPACE": "shop", "SINGLETON_WEBHOOK_PARENT_LOOKUP": "none",
            "SINGLETON_WEBHOOK_IDLE_TIMEOUT": "2m", "SINGLETON_WEBHOOK_CLIENT_CA_FILE": "/env/ca",
        ]
        let fromEnv = try ServeConfiguration.resolve(flags: [:], environment: env)
        #expect(fromEnv.settings.certificateFile == "/env/crt")
        #expect(fromEnv.settings.port == 9443)
        #expect(fromEnv.settings.onLookupFailure == .deny)
        #expect(fromEnv.settings.shutdownGrace == .milliseconds(1500))
        #expect(fromEnv.settings.shutdownDelay == .seconds(5))
        #expect(fromEnv.settings.metricsPort == 9090)
        #expect(fromEnv.settings.namespace == "shop")
        #expect(fromEnv.parentLookup == ParentLookupMode.none)
        #expect(fromEnv.settings.limits.idleTimeout == .seconds(120))
        #expect(fromEnv.settings.clientCAFile == "/env/ca")
        let flagWins = try ServeConfiguration.resolve(
            flags: [.port: "10443", .onLookupFailure: "allow"], environment: env)
        #expect(flagWins.settings.port == 10443)
        #expect(flagWins.settings.onLookupFailure == .allow)
        #expect(Set(ServeFlag.allCases.map(\.environmentVariable)).count == ServeFlag.allCases.count)
        #expect(ServeFlag.tlsCertFile.environmentVariable == "SINGLETON_WEBHOOK_TLS_CERT_FILE")
    }

    @Test("bad values are refused with a message naming the flag and its variable")
    func errors() {
        let cases: [([ServeFlag: String], String)] = [
            ([:], "--tls-cert-file"),
            ([.port: "http"], "SINGLETON_WEBHOOK_PORT"),
            ([.port: "70000"], "--port"),
            ([.onLookupFailure: "maybe"], "allow or deny"),
            ([.parentLookup: "poll"], "watch or none"),
            ([.shutdownGrace: "soon"], "duration"),
            ([.validatePath: "validate"], "starting with '/'"),
            ([.logLevel: "loud"], "--log-level"),
            ([.maxBodyBytes: "-1"], "--max-body-bytes"),
        ]
        for (flags, needle) in cases {
            let all = flags.isEmpty ? flags : flags.merging(required) { a, _ in a }
            do {
                _ = try ServeConfiguration.resolve(flags: all, environment: [:])
                Issue.record("expected an error for \(flags)")
            } catch {
                #expect("\(error)".contains(needle), "\(error)")
            }
        }
    }

    @Test("durations")
    func durations() {
        #expect(ServeConfiguration.parseDuration("10") == .seconds(10))
        #expect(ServeConfiguration.parseDuration("10s") == .seconds(10))
        #expect(ServeConfiguration.parseDuration("250ms") == .milliseconds(250))
        #expect(ServeConfiguration.parseDuration("2m") == .seconds(120))
        #expect(ServeConfiguration.parseDuration("1h") == .seconds(3600))
        #expect(ServeConfiguration.parseDuration("-1s") == nil)
        #expect(ServeConfiguration.parseDuration("s") == nil)
        #expect(ServeConfiguration.parseDuration("") == nil)
    }
}
