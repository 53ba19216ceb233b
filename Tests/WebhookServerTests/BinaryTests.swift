import Foundation
import NIOCore
import HTTPSServerKit
import SingletonCore
import Testing
import TestSupport

/// The built `singleton-webhook` executable, when `swift build` has produced it.
enum Binary {
    static let path = Fixtures.repoRoot.appendingPathComponent(".build/debug/singleton-webhook").path
    static var available: Bool { FileManager.default.isExecutableFile(atPath: path) }
}

@Suite("singleton-webhook serve as a process")
struct BinaryTests {
    @Test(
        "serves, then exits 0 on SIGTERM (Kubernetes) or SIGINT (Ctrl-C) after logging the shutdown as JSON",
        .enabled(if: Binary.available, "needs .build/debug/singleton-webhook (swift build); skipped otherwise"),
        arguments: [SIGTERM, SIGINT])
    func sigterm(_ signal: Int32) async throws {
        let pki = try TestPKI.make()
        // A header timeout of 60 s, not 10: the test's first request waits its turn on the
        // test pool, and the slowloris guard is not what this test is about.
        let server = try await Serving.start(
            Binary.path, ["serve", "--host", "127.0.0.1", "--port", "0", "--parent-lookup", "none"],
            environment: [
                "SINGLETON_WEBHOOK_TLS_CERT_FILE": pki.certFile, "SINGLETON_WEBHOOK_TLS_KEY_FILE": pki.keyFile,
                "SINGLETON_WEBHOOK_SHUTDOWN_GRACE": "5s", "SINGLETON_WEBHOOK_HEADER_TIMEOUT": "60s",
            ])
        defer { server.stop() }
        let (process, buffered) = (server.process, server.logSoFar)
        let servingPort = try #require(server.port, "no serving line in: \(String(decoding: buffered, as: UTF8.self))")
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: servingPort, tls: try pki.clientTLS())
        let response = try await client.review(Fixtures.review("02-scale-out-denied.json"))
        #expect(response.status == .ok)
        #expect(try ReviewAnswer.decode(response.body).response.allowed == false)

        kill(process.processIdentifier, signal)
        let (rest, status) = try await server.exited()
        #expect(status == 0)
        let log = String(decoding: buffered + rest, as: UTF8.self)
        #expect(log.contains("\"msg\":\"shutting down\""))
        #expect(log.contains("\"msg\":\"webhook stopped\""))
        #expect(log.contains("\"msg\":\"denied\""))
        await client.closed()
    }

    @Test(
        "--version names the build; a usage error exits 1 with the usage, as kubectl-singleton does",
        .enabled(if: Binary.available, "needs .build/debug/singleton-webhook (swift build); skipped otherwise"))
    func versionAndUsageErrors() async throws {
        let env = ProcessInfo.processInfo.environment
        let version = try await runProcess(Binary.path, ["--version"], environment: env)
        #expect(version.status == 0)
        #expect(version.stdout == "singleton-webhook v\(KubeSingletonVersion.current)\n")
        for args in [
            ["serve", "--port", "not-a-port"], ["review", "--on-lookup-failure", "maybe", "x.json"], ["frobnicate"],
        ] {
            let run = try await runProcess(Binary.path, args, environment: env)
            #expect(run.status == 1, "\(args): \(run.status) \(run.stderr)")
            #expect(
                run.stderr.hasPrefix("Error: ") && run.stderr.contains("Usage: singleton-webhook"),
                "\(args): \(run.stderr)")
        }
        // A word outside a fixed set: argument-parser's error names the accepted ones.
        for (args, accepted) in [
            (["review", "--on-lookup-failure", "maybe", "x.json"], "Please provide one of 'allow' and 'deny'."),
            (["serve", "--parent-lookup", "sometimes"], "Please provide one of 'watch' and 'none'."),
            (
                ["serve", "--log-level", "loud"],
                "Please provide one of the following:\n  - trace\n  - debug\n  - info\n"
            ),
        ] {
            let run = try await runProcess(Binary.path, args, environment: env)
            #expect(run.status == 1 && run.stderr.contains(accepted), "\(args): \(run.stderr)")
        }
    }

    @Test(
        "SIGTERM under load: 8 clients sending reviews back to back lose none; the process exits 0 within the grace period",
        .enabled(if: Binary.available, "needs .build/debug/singleton-webhook (swift build); skipped otherwise"))
    func sigtermUnderLoad() async throws {
        let pki = try TestPKI.make()
        let server = try await Serving.start(
            Binary.path, ["serve", "--host", "127.0.0.1", "--port", "0", "--parent-lookup", "none"],
            environment: [
                "SINGLETON_WEBHOOK_TLS_CERT_FILE": pki.certFile, "SINGLETON_WEBHOOK_TLS_KEY_FILE": pki.keyFile,
                "SINGLETON_WEBHOOK_SHUTDOWN_GRACE": "8s", "SINGLETON_WEBHOOK_HEADER_TIMEOUT": "60s",
            ])
        defer { server.stop() }
        let port = try #require(server.port)
        let tls = try pki.clientTLS()
        let review = try Fixtures.review("02-scale-out-denied.json")
        let deadline = ContinuousClock.now + .seconds(30)
        let clients = Task {
            await withTaskGroup(of: SendTally.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        await keepSending(port: port, tls: tls, until: deadline) { ByteBuffer(bytes: review) }
                    }
                }
                return await group.reduce(into: [SendTally]()) { $0.append($1) }
            }
        }
        try await Task.sleep(for: .seconds(1))
        let signalled = ContinuousClock.now
        kill(server.process.processIdentifier, SIGTERM)
        let (_, status) = try await server.exited()
        let took = ContinuousClock.now - signalled
        let tallies = await clients.value
        #expect(status == 0)
        #expect(tallies.reduce(0) { $0 + $1.lost } == 0, "\(tallies) \(tallies.flatMap(\.lostErrors))")
        #expect(tallies.allSatisfy { $0.answered > 0 }, "\(tallies)")
        #expect(took < .seconds(8), "exit took \(took)")
    }

    @Test(
        "--help explains every flag and its environment variable",
        .enabled(if: Binary.available, "needs .build/debug/singleton-webhook (swift build); skipped otherwise"))
    func help() async throws {
        let run = try await runProcess(
            Binary.path, ["serve", "--help"], environment: ProcessInfo.processInfo.environment)
        #expect(run.status == 0, "\(run.stderr)")
        let text = run.stdout
        for flag in [
            "--tls-cert-file", "--client-ca-file", "--on-lookup-failure", "--shutdown-grace", "--metrics-port",
            "--validate-path",
            "--lookup-timeout", "--watch-idle-timeout", "--max-cache-staleness",
        ] {
            #expect(text.contains(flag), "\(flag)")
        }
        #expect(text.components(separatedBy: "SINGLETON_WEBHOOK_").count - 1 >= 24)
    }

    @Test(
        "startup errors say which input is wrong and how to go on, and exit non-zero",
        .enabled(if: Binary.available, "needs .build/debug/singleton-webhook (swift build); skipped otherwise"))
    func startupErrors() async throws {
        let pki = try TestPKI.make()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("no-kubeconfig-\(UUID().uuidString)")
            .path
        // No kubeconfig and not in a cluster: the parent cache cannot start.
        let noAPI = try await runProcess(
            Binary.path, ["serve", "--port", "0", "--tls-cert-file", pki.certFile, "--tls-key-file", pki.keyFile],
            environment: ["HOME": home])
        #expect(noAPI.status != 0)
        #expect(
            noAPI.stderr.contains("cannot configure API access for parent lookups: no configuration has been provided"),
            "\(noAPI.stderr)")
        #expect(noAPI.stderr.contains("--parent-lookup none"), "\(noAPI.stderr)")
        // A key file that is not there: named by its role, with the reason in plain words.
        let missing = pki.certFile + ".missing-key"
        let noKey = try await runProcess(
            Binary.path,
            [
                "serve", "--port", "0", "--parent-lookup", "none", "--tls-cert-file", pki.certFile, "--tls-key-file",
                missing,
            ],
            environment: ["HOME": home])
        #expect(noKey.status == 1)
        #expect(noKey.stderr.contains("cannot read the private key \(missing): no such file"), "\(noKey.stderr)")
    }

    @Test(
        "runs as the image's non-root user (UID 65532): serves TLS, and its parent cache reaches the API",
        .enabled(
            if: Binary.available && NonRoot.possible,
            "needs root, setpriv and .build/debug/singleton-webhook; skipped otherwise"))
    func nonRootUser() async throws {
        // webhook/Dockerfile runs the binary as 65532. Socket options that need privileges
        // (TCP_NODELAY set at the socket level is SO_DEBUG) dropped every connection there,
        // in and out, while tests run as root passed.
        let pki = try TestPKI.make()
        let api = FakeWorkloadAPI()
        await api.put(.deployment, KubeSourceTests.meta("web", uid: KubeSourceTests.scaleUID, mode: "at-most-one"))
        let apiServer = try await HTTPSServer.start(
            ServerConfiguration(
                tls: TLSSettings(
                    certificateChain: .pem(pki.server.certificatePEM), privateKey: .pem(pki.server.privateKeyPEM)),
                limits: .forTests, threads: 1),
            handler: api.handler)
        let kubeconfig = pki.dir.appendingPathComponent("kubeconfig").path
        try """
        apiVersion: v1
        kind: Config
        clusters: [{name: test, cluster: {server: "https://127.0.0.1:\(apiServer.port)", certificate-authority: "\(pki.caFile)"}}]
        users: [{name: test, user: {token: test-token}}]
        contexts: [{name: test, context: {cluster: test, user: test}}]
        current-context: test
        """.write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        // Readable by the other user, as a mounted Secret is.
        for path in [pki.dir.path, pki.caFile, pki.certFile, pki.keyFile, kubeconfig] {
            try FileManager.default.setAttributes(
                [.posixPermissions: path == pki.dir.path ? 0o755 : 0o644], ofItemAtPath: path)
        }

        let server = try await Serving.start(
            NonRoot.setpriv,
            [
                "--reuid", "65532", "--regid", "65532", "--clear-groups", Binary.path,
                "serve", "--host", "127.0.0.1", "--port", "0", "--kubeconfig", kubeconfig,
                "--tls-cert-file", pki.certFile, "--tls-key-file", pki.keyFile,
            ],
            environment: ["HOME": "/nonexistent", "SINGLETON_WEBHOOK_HEADER_TIMEOUT": "60s"])
        defer { server.stop() }
        let port = try #require(server.port, "no serving line in: \(String(decoding: server.logSoFar, as: UTF8.self))")
        let client = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: try pki.clientTLS())
        // Ready only once the cache listed the API: the outgoing connection works too.
        try await waitFor("ready after the cache synced") { try await client.send(.GET, "/readyz").status == .ok }
        let answer = try ReviewAnswer.decode(
            try await client.review(Fixtures.review("07-kubectl-scale-denied.json")).body)
        #expect(!answer.response.allowed, "kubectl scale on the cached at-most-one parent is denied")
        try await server.stopped()
        await client.closed()
        await apiServer.shutdown(grace: .seconds(1))
    }
}

/// Running the binary as another user needs root and `setpriv` (util-linux).
enum NonRoot {
    static let setpriv =
        ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) } ?? ""
    static var possible: Bool { getuid() == 0 && !setpriv.isEmpty }
}

/// `singleton-webhook serve` running as a child process: started, and its JSON log read until
/// the "serving" line names the port (nil when the log ended without one). `start` and
/// `stopped` wait on a Dispatch thread, not on the test pool. One test owns each instance.
final class Serving: @unchecked Sendable {
    let process = Process()
    let log: FileHandle
    private(set) var logSoFar = Data()
    private(set) var port: Int?

    static func start(
        _ executable: String, _ arguments: [String], environment: [String: String]
    ) async throws -> Serving {
        try await offThePool { try Serving(executable, arguments, environment: environment) }
    }

    private init(_ executable: String, _ arguments: [String], environment: [String: String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        log = stderr.fileHandleForReading
        try process.run()
        while port == nil {
            let chunk = log.availableData
            if chunk.isEmpty { break }
            logSoFar.append(chunk)
            for line in logSoFar.split(separator: UInt8(ascii: "\n")) {
                if let fields = try? JSONDecoder().decode([String: String].self, from: Data(line)),
                    fields["msg"] == "serving"
                {
                    port = fields["port"].flatMap(Int.init)
                }
            }
        }
    }

    /// Terminates the process if it still runs, and waits for it (blocking: for `defer`).
    func stop() {
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// `stop`, awaited off the test pool.
    func stopped() async throws {
        try await offThePool { self.stop() }
    }

    /// The rest of the log, once the process has exited by itself, and its exit status.
    func exited() async throws -> (rest: Data, status: Int32) {
        try await offThePool {
            let rest = self.log.readDataToEndOfFile()  // EOF when the process exits
            self.process.waitUntilExit()
            return (rest, self.process.terminationStatus)
        }
    }
}
