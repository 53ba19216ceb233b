import ArgumentParser
import Foundation
import KubeClient
import Logging
import SingletonCore
import WebhookServer

/// `singleton-webhook serve`: the admission webhook server.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Serve the validating admission webhook over HTTPS.",
        discussion: """
            Answers admission.k8s.io/v1 AdmissionReviews POSTed by the API server to --validate-path, plus GET /healthz (alive), GET /readyz (ready once the parent cache has synced) and GET /metrics (Prometheus text; on --metrics-port when given, else on the TLS port).

            Scale requests (kubectl scale, the HPA controller) carry no annotations, so the webhook judges them against the parent workload, read from a metadata-only list+watch cache of deployments, statefulsets, replicasets and replicationcontrollers, with a direct GET on a cache miss. When the parent cannot be verified, --on-lookup-failure decides:

            allow (default): the request passes with an admission warning, a log line and the metric singleton_webhook_parent_lookup_failures_total. An API outage never freezes scaling, but a singleton may be scaled up while it lasts.

            deny: the singleton guarantee wins. While the API cannot be read, every scale-up the webhook sees is refused.

            Every flag can also be set with the environment variable shown in its help; the flag wins when both are given. Durations accept 500ms, 10s, 2m or plain seconds. SIGTERM or SIGINT: /readyz fails at once, new connections are refused, every request already begun is answered (with Connection: close), idle keep-alive connections are closed after a 250 ms quiet period, and the process exits within --shutdown-grace. Logs are JSON lines on standard error.
            """
    )

    @Option(help: "Address to listen on for HTTPS. [env SINGLETON_WEBHOOK_HOST; default 0.0.0.0]")
    var host: String?
    @Option(help: "HTTPS port (0 picks a free one). [env SINGLETON_WEBHOOK_PORT; default 8443]")
    var port: String?
    @Option(
        help:
            "Serving certificate chain, PEM. Re-read when it changes (cert-manager rotation). Required. [env SINGLETON_WEBHOOK_TLS_CERT_FILE]"
    )
    var tlsCertFile: String?
    @Option(help: "Private key of the serving certificate, PEM. Required. [env SINGLETON_WEBHOOK_TLS_KEY_FILE]")
    var tlsKeyFile: String?
    @Option(
        help:
            "CA bundle (PEM) the API server's client certificate must chain to; when set, clients without one are refused, kubelet probes included: probe --metrics-port instead. [env SINGLETON_WEBHOOK_CLIENT_CA_FILE]"
    )
    var clientCaFile: String?
    @Option(
        help:
            "Path the API server POSTs AdmissionReviews to (the webhook configuration's service.path). [env SINGLETON_WEBHOOK_VALIDATE_PATH; default /validate]"
    )
    var validatePath: String?
    @Option(
        help:
            "Serve /metrics, /healthz and /readyz over plain HTTP on this port instead of the TLS port. [env SINGLETON_WEBHOOK_METRICS_PORT]"
    )
    var metricsPort: String?
    @Option(help: "Address for --metrics-port. [env SINGLETON_WEBHOOK_METRICS_HOST; default 0.0.0.0]")
    var metricsHost: String?
    @Option(
        help:
            "allow or deny a scale/HPA request whose parent workload cannot be verified (see above). [env SINGLETON_WEBHOOK_ON_LOOKUP_FAILURE; default allow]"
    )
    var onLookupFailure: UnverifiedParentPolicy?
    @Option(
        help:
            "deny: a request that breaks a singleton's contract is denied; warn: allowed with a warning, an audit annotation, a log line and a verdict=\"warn\" metric, to roll the webhook out safely. A workload's kube-singleton.dev/enforcement annotation can also choose warn, and <validate-path>-warn is always warn. [env SINGLETON_WEBHOOK_ENFORCEMENT; default deny]"
    )
    var enforcement: Enforcement?
    @Option(
        help:
            "watch: cache parents with list+watch and GET on a miss; none: never call the API (every parent is unverified). [env SINGLETON_WEBHOOK_PARENT_LOOKUP; default watch]"
    )
    var parentLookup: ParentLookupMode?
    @Option(
        help:
            "Cache only this namespace's workloads (for a webhook scoped to one namespace). [env SINGLETON_WEBHOOK_NAMESPACE; default all namespaces]"
    )
    var namespace: String?
    @Option(
        help:
            "Kubeconfig for the API server; without it the in-cluster service account is used. [env SINGLETON_WEBHOOK_KUBECONFIG]"
    )
    var kubeconfig: String?
    @Option(
        help:
            "Longest wait for in-flight requests after SIGTERM/SIGINT. [env SINGLETON_WEBHOOK_SHUTDOWN_GRACE; default 10s]"
    )
    var shutdownGrace: String?
    @Option(
        help:
            "Largest request body; larger ones get 413. [env SINGLETON_WEBHOOK_MAX_BODY_BYTES; default 7340032 (7 MiB)]"
    )
    var maxBodyBytes: String?
    @Option(
        help:
            "Time for a request head to arrive on a new connection. [env SINGLETON_WEBHOOK_HEADER_TIMEOUT; default 10s]"
    )
    var headerTimeout: String?
    @Option(
        help:
            "Time for a request body to arrive after its head; slower ones get 408. [env SINGLETON_WEBHOOK_BODY_TIMEOUT; default 30s]"
    )
    var bodyTimeout: String?
    @Option(
        help: "Idle keep-alive connections are closed after this. [env SINGLETON_WEBHOOK_IDLE_TIMEOUT; default 60s]")
    var idleTimeout: String?
    @Option(
        help: "Connections beyond this many are closed at once. [env SINGLETON_WEBHOOK_MAX_CONNECTIONS; default 1024]")
    var maxConnections: String?
    @Option(help: "Event loop threads. [env SINGLETON_WEBHOOK_THREADS; default: the number of cores]")
    var threads: String?
    @Option(
        help:
            "How often the certificate and key files are checked for changes. [env SINGLETON_WEBHOOK_CERT_RELOAD_INTERVAL; default 2s]"
    )
    var certReloadInterval: String?
    @Option(
        help:
            "A direct GET of a parent missing from the cache gives up after this, and --on-lookup-failure decides; keep it well under the webhook configuration's timeoutSeconds (5 in deploy/). [env SINGLETON_WEBHOOK_LOOKUP_TIMEOUT; default 2s]"
    )
    var lookupTimeout: String?
    @Option(
        help:
            "A cache watch that brings no event and no bookmark for this long is restarted (a stalled stream looks like a quiet cluster). [env SINGLETON_WEBHOOK_WATCH_IDLE_TIMEOUT; default 90s]"
    )
    var watchIdleTimeout: String?
    @Option(
        help:
            "A cache kind with no news from the API server for this long is not trusted: lookups go to the API server and /readyz fails. [env SINGLETON_WEBHOOK_MAX_CACHE_STALENESS; default 3m]"
    )
    var maxCacheStaleness: String?
    @Option(
        help:
            "trace, debug (also logs every allow), info (denials), warning, error. JSON lines on stderr. [env SINGLETON_WEBHOOK_LOG_LEVEL; default info]"
    )
    var logLevel: Logger.Level?

    func validate() throws {
        do {
            _ = try resolve()
        } catch {
            throw ValidationError("\(error)")
        }
    }

    /// Flags, then SINGLETON_WEBHOOK_* variables, then defaults.
    private func resolve() throws -> ServeConfiguration {
        let flags: [ServeFlag: String?] = [
            .host: host, .port: port, .tlsCertFile: tlsCertFile, .tlsKeyFile: tlsKeyFile, .clientCAFile: clientCaFile,
            .validatePath: validatePath, .metricsPort: metricsPort, .metricsHost: metricsHost,
            .onLookupFailure: onLookupFailure?.rawValue, .parentLookup: parentLookup?.rawValue, .namespace: namespace,
            .enforcement: enforcement?.rawValue,
            .kubeconfig: kubeconfig,
            .shutdownGrace: shutdownGrace, .maxBodyBytes: maxBodyBytes, .headerTimeout: headerTimeout,
            .bodyTimeout: bodyTimeout,
            .idleTimeout: idleTimeout, .maxConnections: maxConnections, .threads: threads,
            .certReloadInterval: certReloadInterval, .logLevel: logLevel?.rawValue, .lookupTimeout: lookupTimeout,
            .watchIdleTimeout: watchIdleTimeout, .maxCacheStaleness: maxCacheStaleness,
        ]
        return try ServeConfiguration.resolve(
            flags: flags.compactMapValues { $0 }, environment: ProcessInfo.processInfo.environment)
    }

    func run() async throws {
        let config = try resolve()
        let source: (any MetadataSource)?
        switch config.parentLookup {
        case .none:
            source = nil
        case .watch:
            do {
                source = try KubeMetadataSource.make(kubeconfig: config.kubeconfig)
            } catch {
                // Scale and HPA requests need the parent workload, so the webhook reads the API;
                // say how to give it access, or how to run without it.
                let reason = (error as? KubeConfigError)?.message ?? "\(error)"
                throw ValidationError(
                    """
                    cannot configure API access for parent lookups: \(reason)
                    Pass --kubeconfig (or SINGLETON_WEBHOOK_KUBECONFIG), run in a pod with a service account, \
                    or use --parent-lookup none to treat every parent as unverified (then --on-lookup-failure decides).
                    """)
            }
        }
        do {
            try await WebhookRunner.run(config, source: source)
        } catch {
            FileHandle.standardError.write(Data("singleton-webhook serve: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }
}
