import ArgumentParser
import Foundation
import KubeClient
import KubeCurl
import LeaderElection

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `singleton-run`: the command line.
public struct RunCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "singleton-run",
        abstract: "Run a command only while this process holds a Kubernetes Lease.",
        discussion: """
            Waits until it holds the coordination.k8s.io/v1 Lease NAME (client-go's leader \
            election: client-go apps, `kubectl get lease` and `kubectl singleton leases` read it), \
            then starts the command with SINGLETON_IDENTITY and SINGLETON_FENCING_TOKEN (the \
            Lease's leaseTransitions, which only grows) in its environment, and renews the Lease \
            every retry period.

            If the Lease cannot be renewed within the renew deadline, the command's process group \
            gets SIGTERM, then SIGKILL after --grace, and singleton-run exits 1. The command also \
            dies with singleton-run, even when singleton-run is killed by SIGKILL. When the \
            command exits, the Lease is released (a standby takes over at its next retry) and \
            singleton-run exits with the command's status. SIGTERM and SIGINT are forwarded to the \
            command first.

            RBAC: get, create and update on leases.coordination.k8s.io in the namespace.

            Example:
              singleton-run --lease nightly-report -- python3 report.py
            """)

    @Option(name: .customLong("lease"), help: "The Lease's name.")
    var lease: String

    @Option(
        name: [.short, .customLong("namespace")],
        help: "The Lease's namespace (default: the kubeconfig context's, in a pod its own).")
    var namespace: String?

    @Option(
        name: .customLong("identity"),
        help: "This candidate's identity (default: <hostname>_<uuid>; in a pod the hostname is the pod name).")
    var identity: String?

    @Option(name: .customLong("lease-duration"), help: "How long a claim stands unrenewed (whole seconds).")
    var leaseDuration = "15s"

    @Option(name: .customLong("renew-deadline"), help: "How long the holder retries renewing before it fences.")
    var renewDeadline = "10s"

    @Option(name: .customLong("retry-period"), help: "The pause between attempts to acquire or renew.")
    var retryPeriod = "2s"

    @Option(name: .customLong("grace"), help: "Between SIGTERM and SIGKILL to the command.")
    var grace = "10s"

    @Option(
        name: .customLong("kubeconfig"),
        help: "Path to a kubeconfig (default: $KUBECONFIG, ~/.kube/config, in a pod its service account).")
    var kubeconfig: String?

    @Option(name: .customLong("context"), help: "The kubeconfig context to use.")
    var context: String?

    @Option(name: .customLong("status-port"), help: "Serve /healthz and /leader on this port (0: any free port).")
    var statusPort: Int?

    @Option(
        name: .customLong("status-address"),
        help: "The address --status-port listens on (0.0.0.0 or :: for other pods).")
    var statusAddress = "127.0.0.1"

    @Argument(parsing: .postTerminator, help: "The command and its arguments, after --.")
    var command: [String] = []

    public init() {}

    public func validate() throws {
        guard !command.isEmpty else {
            throw ValidationError(
                "give the command to run after --, for example: singleton-run --lease NAME -- sleep 60")
        }
        guard !lease.isEmpty else { throw ValidationError("--lease must not be empty") }
        _ = try timing()
        _ = try Self.duration(grace, flag: "--grace")
        if let statusPort, !(0...65535).contains(statusPort) {
            throw ValidationError("--status-port must be between 0 and 65535")
        }
    }

    func timing() throws -> ElectionTiming {
        let timing = ElectionTiming(
            leaseDuration: try Self.duration(leaseDuration, flag: "--lease-duration"),
            renewDeadline: try Self.duration(renewDeadline, flag: "--renew-deadline"),
            retryPeriod: try Self.duration(retryPeriod, flag: "--retry-period"))
        do { try timing.validate() } catch { throw ValidationError(error.description) }
        return timing
    }

    /// kubectl's durations (`500ms`, `15s`, `1m30s`, a bare number of seconds).
    static func duration(_ text: String, flag: String) throws -> Duration {
        guard let seconds = try? KubeConfigOptions.parseRequestTimeout(text), seconds > 0 else {
            throw ValidationError("invalid \(flag) \"\(text)\": use a positive duration such as 500ms, 15s or 1m")
        }
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// Runs the wrapper and returns its exit status.
    public func execute(environment: [String: String] = ProcessInfo.processInfo.environment) async -> Int32 {
        let log: @Sendable (String) -> Void = { line in
            FileHandle.standardError.write(Data("singleton-run: \(line)\n".utf8))
        }
        do {
            var config = try ClientConfig.load(
                KubeConfigOptions(kubeconfig: kubeconfig, context: context, namespace: namespace),
                environment: environment, keyPairCheck: .openSSL)
            let timing = try timing()
            // The elector retries on its own schedule; a request must never outlast the deadline.
            config.retry = RetryPolicy(maxAttempts: 1)
            config.requestTimeout = timing.renewDeadline.secondsValue
            config.connectTimeout = min(config.connectTimeout, timing.renewDeadline.secondsValue)
            config.userAgent = "singleton-run/0.1"
            let client = KubeClient(config: config, environment: environment)
            let run = RunConfiguration(
                lease: lease, namespace: config.namespace, identity: identity ?? Self.defaultIdentity(),
                timing: timing, grace: try Self.duration(grace, flag: "--grace"), command: command,
                environment: environment, statusAddress: statusAddress, statusPort: statusPort)
            let supervisor = try Supervisor(
                config: run, store: LeaseStore(client: client, namespace: run.namespace, name: lease), log: log)
            if let status = supervisor.status { log("status on \(statusAddress):\(status.port) (/healthz, /leader)") }
            return await supervisor.run()
        } catch {
            let text = "\(error)"
            log(text.hasPrefix("error: ") ? String(text.dropFirst(7)) : text)
            return 2
        }
    }

    /// `<hostname>_<uuid>`, as client-go programs conventionally name themselves: the
    /// hostname (a pod's name) lets `kubectl singleton leases` find the pod.
    static func defaultIdentity() -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let host =
            gethostname(&buffer, buffer.count) == 0
            ? String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : "singleton-run"
        return "\(host)_\(UUID().uuidString.lowercased())"
    }

    /// Parses the arguments and runs; for `main`.
    public static func main(_ arguments: [String]) async -> Int32 {
        do {
            let command = try RunCommand.parse(arguments)
            return await command.execute()
        } catch {
            let code = RunCommand.exitCode(for: error)
            let message = RunCommand.fullMessage(for: error)
            if code == .success {
                print(message)
                return 0
            }
            FileHandle.standardError.write(Data((message + "\n").utf8))
            return 2
        }
    }
}
