import Dispatch
import Foundation
import Logging

/// `singleton-webhook serve` end to end: logging, the service, signals, graceful exit.
public enum WebhookRunner {
    /// Serves until SIGTERM or SIGINT, then drains within the configured grace period.
    /// `source` supplies parent metadata (nil when lookups are disabled).
    public static func run(_ config: ServeConfiguration, source: (any MetadataSource)?) async throws {
        let logger = makeLogger(level: config.logLevel)
        let service: WebhookService
        do {
            service = try await WebhookService.start(config.settings, source: source, logger: logger)
        } catch {
            logger.critical("cannot start", metadata: ["error": "\(error)"])
            throw error
        }
        logger.info("serving", metadata: [
            "port": "\(service.server.port)", "validatePath": "\(config.settings.validatePath)",
            "metricsPort": "\(service.metricsServer.map { String($0.port) } ?? "tls port")",
            "parentLookup": "\(config.parentLookup.rawValue)", "onLookupFailure": "\(config.settings.onLookupFailure.rawValue)",
            "namespace": "\(config.settings.namespace ?? "(all)")", "clientCA": "\(config.settings.clientCAFile ?? "(none)")",
        ])
        let signal = await TerminationSignal.wait()
        logger.info("shutting down", metadata: ["signal": "\(signal)", "grace": "\(config.settings.shutdownGrace)"])
        await service.shutdown(grace: config.settings.shutdownGrace)
    }

    /// A JSON-lines logger at `level` on standard error.
    public static func makeLogger(level: String) -> Logger {
        let parsed = Logger.Level(rawValue: level) ?? .info
        return Logger(label: "singleton-webhook") { label in JSONLogHandler(label: label, level: parsed) }
    }
}

/// Waits for SIGTERM or SIGINT (Kubernetes sends SIGTERM, a terminal sends SIGINT).
enum TerminationSignal {
    nonisolated(unsafe) private static var sources: [any DispatchSourceSignal] = []

    static func wait() async -> Int32 {
        let fired = SignalLatch()
        return await withCheckedContinuation { continuation in
            for sig in [SIGTERM, SIGINT] {
                signal(sig, SIG_IGN)  // let the dispatch source, not the default action, see it
                let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                source.setEventHandler {
                    if fired.fire() { continuation.resume(returning: sig) }
                }
                source.resume()
                sources.append(source)
            }
        }
    }
}

/// Lets exactly one signal resume the waiter.
final class SignalLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var fired = false

    func fire() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if fired { return false }
        fired = true
        return true
    }
}
