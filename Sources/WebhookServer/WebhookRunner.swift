import HTTPSServerKit
import Logging
import ServiceLifecycle
import UnixSignals

/// `singleton-webhook serve` end to end: logging, the service, signals, graceful exit.
public enum WebhookRunner {
    /// Serves until SIGTERM (what Kubernetes sends) or SIGINT (a terminal's Ctrl-C), then
    /// drains within the configured grace period. `source` supplies parent metadata (nil
    /// when lookups are disabled).
    public static func run(_ config: ServeConfiguration, source: (any MetadataSource)?) async throws {
        // Before the first list page: its buffers are the large blocks this is about.
        MemoryRelease.keepLargeBlocksMapped()
        let logger = makeLogger(level: config.logLevel)
        let service: WebhookService
        do {
            service = try await WebhookService.start(
                config.settings, source: source, logger: logger,
                signals: [.sigterm, .sigint])
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw error
        }
        logger.info(
            "serving",
            metadata: [
                "port": "\(service.server.port)", "validatePath": "\(config.settings.validatePath)",
                "warnPath": "\(WebhookRouter.warnPath(for: config.settings.validatePath))",
                "enforcement": "\(config.settings.enforcement)",
                "metricsPort": "\(service.metricsServer.map { String($0.port) } ?? "tls port")",
                "parentLookup": "\(config.parentLookup.rawValue)",
                "onLookupFailure": "\(config.settings.onLookupFailure.rawValue)",
                "namespace": "\(config.settings.namespace ?? "(all)")",
                "clientCA": "\(config.settings.clientCAFile ?? "(none)")",
            ])
        try await service.waitUntilStopped()
    }

    /// A JSON-lines logger at `level` on standard error.
    public static func makeLogger(level: Logger.Level) -> Logger {
        Logger(label: "singleton-webhook") { label in JSONLogHandler(label: label, level: level) }
    }
}
