import HTTPSServerKit
import NIOCore
import Logging
import SingletonCore

/// Every `singleton-webhook serve` flag with its environment variable, in one table, so
/// the command line, the environment and `--help` cannot drift apart.
public enum ServeFlag: String, CaseIterable, Sendable {
    case host, port
    case tlsCertFile = "tls-cert-file", tlsKeyFile = "tls-key-file", clientCAFile = "client-ca-file"
    case validatePath = "validate-path"
    case metricsPort = "metrics-port", metricsHost = "metrics-host"
    case onLookupFailure = "on-lookup-failure", parentLookup = "parent-lookup", enforcement
    case namespace, kubeconfig
    case shutdownGrace = "shutdown-grace"
    case maxBodyBytes = "max-body-bytes", headerTimeout = "header-timeout", bodyTimeout = "body-timeout"
    case idleTimeout = "idle-timeout", maxConnections = "max-connections", threads
    case certReloadInterval = "cert-reload-interval", logLevel = "log-level"
    case lookupTimeout = "lookup-timeout", watchIdleTimeout = "watch-idle-timeout", maxCacheStaleness =
        "max-cache-staleness"

    /// SINGLETON_WEBHOOK_ + the flag in upper snake case.
    public var environmentVariable: String {
        "SINGLETON_WEBHOOK_" + rawValue.uppercased().replacingOccurrences(of: "-", with: "_")
    }
}

/// How scale and HPA parents are found.
public enum ParentLookupMode: String, Sendable, CaseIterable {
    /// Metadata list+watch cache, direct GET on a miss.
    case watch
    /// No API access at all: every parent is unverifiable (offline runs, benchmarks).
    case none
}

/// The fully resolved serve configuration.
public struct ServeConfiguration: Sendable {
    public var settings: WebhookSettings
    public var parentLookup: ParentLookupMode
    public var kubeconfig: String?
    public var logLevel: Logger.Level
}

/// A flag or environment value that cannot be used, with a message naming both spellings.
public struct ServeFlagError: Error, Sendable, CustomStringConvertible, Equatable {
    public var description: String
}

extension ServeConfiguration {
    /// Resolves each setting from the flag if given, else its environment variable, else
    /// the default. Pure: tests pass both dictionaries.
    public static func resolve(flags: [ServeFlag: String], environment: [String: String]) throws -> ServeConfiguration {
        func value(_ f: ServeFlag) -> String? {
            if let v = flags[f] { return v }
            if let v = environment[f.environmentVariable], !v.isEmpty { return v }
            return nil
        }
        func fail(_ f: ServeFlag, _ why: String) -> ServeFlagError {
            ServeFlagError(description: "--\(f.rawValue) (or \(f.environmentVariable)): \(why)")
        }
        func int(_ f: ServeFlag, range: ClosedRange<Int>) throws -> Int? {
            guard let raw = value(f) else { return nil }
            guard let n = Int(raw), range.contains(n) else {
                throw fail(f, "expected a whole number in \(range.lowerBound)...\(range.upperBound), got \"\(raw)\"")
            }
            return n
        }
        func duration(_ f: ServeFlag) throws -> Duration? {
            guard let raw = value(f) else { return nil }
            guard let d = parseDuration(raw) else {
                throw fail(f, "expected a duration such as 10s, 500ms or 2m, got \"\(raw)\"")
            }
            return d
        }

        guard let cert = value(.tlsCertFile) else {
            throw fail(.tlsCertFile, "required: the serving certificate (PEM)")
        }
        guard let key = value(.tlsKeyFile) else {
            throw fail(.tlsKeyFile, "required: the serving certificate's private key (PEM)")
        }
        var s = WebhookSettings(certificateFile: cert, keyFile: key)
        if let v = value(.host) { s.host = v }
        if let v = try int(.port, range: 0...65535) { s.port = v }
        s.clientCAFile = value(.clientCAFile)
        if let v = value(.validatePath) {
            guard v.hasPrefix("/"), !v.contains("?") else {
                throw fail(.validatePath, "must be a path starting with '/', got \"\(v)\"")
            }
            s.validatePath = v
        }
        s.metricsPort = try int(.metricsPort, range: 0...65535)
        if let v = value(.metricsHost) { s.metricsHost = v }
        if let v = value(.onLookupFailure) {
            guard let p = UnverifiedParentPolicy(rawValue: v) else {
                throw fail(.onLookupFailure, "must be allow or deny, got \"\(v)\"")
            }
            s.onLookupFailure = p
        }
        if let v = value(.enforcement) {
            guard let e = Enforcement(rawValue: v) else {
                throw fail(
                    .enforcement,
                    "must be \(Enforcement.allCases.map(\.rawValue).joined(separator: " or ")), got \"\(v)\"")
            }
            s.enforcement = e
        }
        var mode = ParentLookupMode.watch
        if let v = value(.parentLookup) {
            guard let m = ParentLookupMode(rawValue: v) else {
                throw fail(.parentLookup, "must be watch or none, got \"\(v)\"")
            }
            mode = m
        }
        s.namespace = value(.namespace)
        if let d = try duration(.shutdownGrace) { s.shutdownGrace = d }
        if let v = try int(.maxBodyBytes, range: 1024...(1 << 30)) { s.limits.maxBodyBytes = v }
        if let d = try duration(.headerTimeout) { s.limits.headerTimeout = TimeAmount(d) }
        if let d = try duration(.bodyTimeout) { s.limits.bodyTimeout = TimeAmount(d) }
        if let d = try duration(.idleTimeout) { s.limits.idleTimeout = TimeAmount(d) }
        if let v = try int(.maxConnections, range: 1...1_000_000) { s.limits.maxConnections = v }
        if let v = try int(.threads, range: 1...1024) { s.threads = v }
        if let d = try duration(.certReloadInterval) { s.certificateReloadInterval = d }
        if let d = try duration(.lookupTimeout) {
            guard d > .zero else { throw fail(.lookupTimeout, "must be more than 0") }
            s.lookupTimeout = d
        }
        if let d = try duration(.watchIdleTimeout) {
            guard d >= .seconds(1) else { throw fail(.watchIdleTimeout, "must be at least 1s") }
            s.watchIdleTimeout = d
        }
        if let d = try duration(.maxCacheStaleness) {
            guard d > s.watchIdleTimeout else {
                throw fail(
                    .maxCacheStaleness,
                    "must be longer than --watch-idle-timeout (\(s.watchIdleTimeout)), or a quiet cluster would look stale"
                )
            }
            s.maxCacheStaleness = d
        }
        var level = Logger.Level.info
        if let v = value(.logLevel) {
            guard let l = Logger.Level(rawValue: v) else {
                throw fail(
                    .logLevel,
                    "must be one of \(Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")); got \"\(v)\"")
            }
            level = l
        }
        return ServeConfiguration(settings: s, parentLookup: mode, kubeconfig: value(.kubeconfig), logLevel: level)
    }

    /// "10" (seconds), "10s", "500ms", "2m", "1h"; nil when unreadable or negative.
    static func parseDuration(_ raw: String) -> Duration? {
        let units: [(String, Int64)] = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)]
        for (suffix, millis) in units where raw.hasSuffix(suffix) {
            guard let n = Double(raw.dropLast(suffix.count)), n >= 0, n.isFinite else { return nil }
            return .milliseconds(Int64(n * Double(millis)))
        }
        guard let n = Double(raw), n >= 0, n.isFinite else { return nil }
        return .milliseconds(Int64(n * 1000))
    }
}
