import Foundation
import KubeAPIMachinery
import KubeClient
import KubeCurl
import KubeSandbox
import Synchronization
import Testing

#if canImport(Glibc)
import Glibc
#endif

enum Paths {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let publicFixtures = repoRoot.deletingLastPathComponent().appendingPathComponent("shared/fixtures/public")
    static let hasShared = FileManager.default.fileExists(atPath: publicFixtures.path)

    /// The built `singleton-run` (`swift build --build-tests` builds it with the tests);
    /// `SINGLETON_RUN` overrides.
    static let binary: String = {
        if let explicit = ProcessInfo.processInfo.environment["SINGLETON_RUN"] { return explicit }
        let build = repoRoot.appendingPathComponent(".build")
        for configuration in ["debug", "release"] {
            let path = build.appendingPathComponent(configuration).appendingPathComponent("singleton-run").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return build.appendingPathComponent("debug/singleton-run").path
    }()
    static let hasBinary = FileManager.default.isExecutableFile(atPath: binary)
}

/// A sandbox API server with its kubeconfig, and a client to read Leases with.
struct Cluster {
    let sandbox: RunningSandbox
    let dir: URL
    let client: KubeClient
    var kubeconfig: String { dir.appendingPathComponent("kubeconfig").path }

    static func start() async throws -> Cluster {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("singleton-run-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        var options = SandboxOptions()
        options.controllers = false
        options.kubeconfigPath = dir.appendingPathComponent("kubeconfig").path
        let sandbox = try await Sandbox.start(options)
        let config = try ClientConfig.load(
            KubeConfigOptions(kubeconfig: options.kubeconfigPath), environment: [:], keyPairCheck: .openSSL)
        return Cluster(sandbox: sandbox, dir: dir, client: KubeClient(config: config, environment: [:]))
    }

    func lease(_ name: String) async throws -> JSONValue? {
        do {
            return try JSONValue.parse(
                try await client.get("/apis/coordination.k8s.io/v1/namespaces/default/leases/\(name)"))
        } catch let error as KubeAPIError where error.isNotFound {
            return nil
        }
    }

    func stop() async {
        await sandbox.stop()
    }
}

/// One line the test command wrote: `start ID TOKEN PID TIME`, `term ID PID TIME` or
/// `exit ID PID TIME`.
struct CommandEvent: Equatable {
    var kind: String
    var identity: String
    var token: Int?
    var pid: Int32
    var time: Double
}

/// The shared log every test command appends to.
struct EventLog {
    let path: String

    init(dir: URL) {
        path = dir.appendingPathComponent("events-\(UUID().uuidString)").path
        FileManager.default.createFile(atPath: path, contents: nil)
    }

    var events: [CommandEvent] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap { line in
            let f = line.split(separator: " ").map(String.init)
            switch f.first {
            case "start" where f.count == 5:
                return CommandEvent(
                    kind: "start", identity: f[1], token: Int(f[2]), pid: Int32(f[3]) ?? 0, time: Double(f[4]) ?? 0)
            case "term", "exit":
                guard f.count == 4 else { return nil }
                return CommandEvent(
                    kind: f[0], identity: f[1], token: nil, pid: Int32(f[2]) ?? 0, time: Double(f[3]) ?? 0)
            default: return nil
            }
        }
    }

    func starts() -> [CommandEvent] { events.filter { $0.kind == "start" } }
}

/// The test command: logs its start (identity, fencing token, pid, time), logs SIGTERM and
/// exits 143 on it, and either runs until stopped or exits with `$EXIT_CODE` after `$RUN_FOR`.
let commandScript = #"""
    echo "start $SINGLETON_IDENTITY $SINGLETON_FENCING_TOKEN $$ $(date +%s.%N)" >> "$EVENT_LOG"
    trap 'echo "term $SINGLETON_IDENTITY $$ $(date +%s.%N)" >> "$EVENT_LOG"; exit 143' TERM
    if [ -n "$RUN_FOR" ]; then
      sleep "$RUN_FOR"
      echo "exit $SINGLETON_IDENTITY $$ $(date +%s.%N)" >> "$EVENT_LOG"
      exit "${EXIT_CODE:-0}"
    fi
    while :; do sleep 0.05; done
    """#

/// One `singleton-run` process.
final class Wrapper: Sendable {
    let identity: String
    let process: Process
    let output: String
    private let exitStatus = ExitStatus()

    init(
        _ cluster: Cluster, lease: String, identity: String, log: EventLog, timing: [String],
        extraEnvironment: [String: String] = [:], extraArguments: [String] = [],
        command: [String] = ["/bin/sh", "-c", commandScript]
    ) throws {
        self.identity = identity
        output = cluster.dir.appendingPathComponent("wrapper-\(identity).log").path
        FileManager.default.createFile(atPath: output, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: Paths.binary)
        process.arguments =
            ["--kubeconfig", cluster.kubeconfig, "--lease", lease, "--namespace", "default", "--identity", identity]
            + timing + extraArguments + ["--"] + command
        var environment = ProcessInfo.processInfo.environment
        environment["EVENT_LOG"] = log.path
        environment.merge(extraEnvironment) { $1 }
        process.environment = environment
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: output))
        process.standardOutput = handle
        process.standardError = handle
        process.terminationHandler = { [exitStatus] in
            let status = $0.terminationStatus
            exitStatus.value.withLock { $0 = status }
        }
        try process.run()
    }

    var pid: Int32 { process.processIdentifier }
    var status: Int32? { exitStatus.value.withLock { $0 } }
    var log: String { (try? String(contentsOfFile: output, encoding: .utf8)) ?? "" }

    func signal(_ number: Int32) { kill(pid, number) }

    /// SIGKILL if still running (test cleanup).
    func stop() {
        if process.isRunning { kill(pid, SIGKILL) }
    }
}

final class ExitStatus: Sendable {
    let value = Mutex<Int32?>(nil)
}

/// True while `pid` is a live process (a zombie nobody reaped counts as gone).
func isAlive(_ pid: Int32) -> Bool {
    guard kill(pid, 0) == 0 else { return false }
    let stat = (try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)) ?? ""
    guard let close = stat.lastIndex(of: ")") else { return true }
    let state = stat[stat.index(close, offsetBy: 2)...].prefix(1)
    return state != "Z" && state != "X"
}

/// Polls `condition` every 20 ms until it holds or `seconds` have passed; returns whether it held.
func poll(for seconds: Double, _ condition: () async throws -> Bool) async rethrows -> Bool {
    let end = Date().addingTimeInterval(seconds)
    while Date() < end {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(20))
    }
    return try await condition()
}

func now() -> Double { Date().timeIntervalSince1970 }
