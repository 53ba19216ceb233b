import Foundation
import KubeAPIMachinery
import SingletonCore
import TestSupport
import Testing

/// End to end: real kubectl, dispatching `kubectl singleton ...` to the built plugin on
/// PATH, against the in-memory API server (the `singleton-sandbox` executable, KubeSandbox).
/// These are the tests that show the commands work with a Kubernetes API; CommandTests only
/// check command logic on a fake. The sandbox runs as a process, so this file does not
/// depend on KubeSandbox's library API.
enum PluginE2E {
    static let kubectl = "/usr/bin/kubectl"
    /// The build products directory holding kubectl-singleton and singleton-sandbox.
    static let productsDirectory: String? = {
        let root = Paths.repoRoot.appendingPathComponent(".build").path
        for candidate in [
            "\(root)/debug", "\(root)/x86_64-unknown-linux-gnu/debug", "\(root)/aarch64-unknown-linux-gnu/debug",
        ]
        where FileManager.default.isExecutableFile(atPath: "\(candidate)/kubectl-singleton")
            && FileManager.default.isExecutableFile(atPath: "\(candidate)/singleton-sandbox")
        {
            return candidate
        }
        return nil
    }()

    /// True when kubectl and both products exist and the sandbox is the real one (its help
    /// offers --kubeconfig-out); the suite is skipped otherwise.
    static let available: Bool = {
        guard FileManager.default.isExecutableFile(atPath: kubectl), let dir = productsDirectory else { return false }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(dir)/singleton-sandbox")
        process.arguments = ["--help"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        guard (try? process.run()) != nil else { return false }
        let help = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return help.contains("--kubeconfig-out")
    }()

    struct Result {
        var code: Int32
        var out: String
        var err: String
    }

    /// A sandbox with its kubeconfig and a PATH holding kubectl-singleton and its
    /// completion script.
    struct Cluster {
        let process: Process
        let dir: URL

        /// Starts `singleton-sandbox` on a free port and waits for its kubeconfig.
        static func start(arguments: [String] = []) async throws -> Cluster {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("plugin-e2e-\(UUID().uuidString)")
            let bin = dir.appendingPathComponent("bin")
            try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
            let products = try #require(productsDirectory)
            try FileManager.default.createSymbolicLink(
                atPath: bin.appendingPathComponent("kubectl-singleton").path,
                withDestinationPath: "\(products)/kubectl-singleton")
            try FileManager.default.copyItem(
                atPath: Paths.repoRoot.appendingPathComponent("plugin/kubectl_complete-singleton").path,
                toPath: bin.appendingPathComponent("kubectl_complete-singleton").path)
            let kubeconfig = dir.appendingPathComponent("kubeconfig").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "\(products)/singleton-sandbox")
            process.arguments = ["--kubeconfig-out", kubeconfig] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            // The kubeconfig appears once the server listens; give up after ~30 s.
            for _ in 0..<300 where !FileManager.default.fileExists(atPath: kubeconfig) && process.isRunning {
                try await Task.sleep(for: .milliseconds(100))
            }
            guard FileManager.default.fileExists(atPath: kubeconfig) else {
                process.terminate()
                throw CLIFailure(message: "singleton-sandbox did not write its kubeconfig")
            }
            return Cluster(process: process, dir: dir)
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
            try? FileManager.default.removeItem(at: dir)
        }

        /// Runs kubectl with KUBECONFIG set and the plugin first on PATH.
        func kubectl(_ args: [String], stdin: String? = nil) async throws -> Result {
            var env = ProcessInfo.processInfo.environment
            env["KUBECONFIG"] = dir.appendingPathComponent("kubeconfig").path
            env["HOME"] = dir.path
            env["PATH"] = dir.appendingPathComponent("bin").path + ":" + (env["PATH"] ?? "/usr/bin:/bin")
            // Waits off the cooperative pool: the sandbox answers kubectl on it meanwhile.
            let run = try await runProcess(PluginE2E.kubectl, args, environment: env, stdin: stdin)
            return Result(code: run.status, out: run.stdout, err: run.stderr)
        }

        func singleton(_ args: String...) async throws -> Result { try await kubectl(["singleton"] + args) }

        func json(_ args: String...) async throws -> JSONValue {
            let r = try await kubectl(["get"] + args + ["-o", "json"])
            guard r.code == 0 else { throw CLIFailure(message: "kubectl get \(args): \(r.err)") }
            return try JSONValue.parse(Data(r.out.utf8))
        }
    }

    struct CLIFailure: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// A Deployment with fields the plugin does not model.
    static let web = """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: web
          namespace: default
          labels: {team: checkout}
          annotations: {example.com/owner: payments}
        spec:
          replicas: 3
          revisionHistoryLimit: 4
          minReadySeconds: 7
          selector:
            matchLabels: {app: web}
          template:
            metadata:
              labels: {app: web}
            spec:
              terminationGracePeriodSeconds: 11
              containers:
              - name: web
                image: nginx:1.27
                env: [{name: MODE, value: prod}]
                ports: [{name: http, containerPort: 8080}]
        """
}

@Suite(
    .enabled(
        if: PluginE2E.available,
        "needs /usr/bin/kubectl and built kubectl-singleton + singleton-sandbox (the real KubeSandbox); skipped otherwise"
    ),
    .serialized)
struct SandboxPluginTests {
    @Test func enableThroughKubectlKeepsUnknownFieldsAndIsIdempotent() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let applied = try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.web)
        #expect(applied.code == 0, "\(applied.err)")

        let enable = try await cluster.singleton("enable", "deploy/web", "--pdb", "--service")
        #expect(enable.code == 0, "\(enable.err)")
        #expect(
            enable.out.contains(
                "deployment.apps/web configured: annotated kube-singleton.dev/mode=at-most-one; lowered replicas from 3 to 1"
            ))
        #expect(enable.out.contains("poddisruptionbudget.policy/web-singleton created"))
        #expect(enable.out.contains("service/web created"))

        let web = try await cluster.json("deployment", "web")
        #expect(web[path: "spec", "replicas"] == 1)
        #expect(web[path: "spec", "strategy", "type"] == "Recreate")
        #expect(web[path: "spec", "strategy", "rollingUpdate"] == nil)
        #expect(web[path: "metadata", "annotations", "kube-singleton.dev/mode"] == "at-most-one")
        #expect(web[path: "metadata", "annotations", "example.com/owner"] == "payments")
        #expect(web[path: "spec", "revisionHistoryLimit"] == 4)
        #expect(web[path: "spec", "minReadySeconds"] == 7)
        #expect(web[path: "spec", "template", "spec", "terminationGracePeriodSeconds"] == 11)

        let pdb = try await cluster.json("pdb", "web-singleton")
        #expect(pdb[path: "spec", "maxUnavailable"] == 0)
        #expect(pdb[path: "spec", "unhealthyPodEvictionPolicy"] == "AlwaysAllow")
        #expect(pdb[path: "metadata", "ownerReferences"]?.arrayValue?.first?["uid"] == web[path: "metadata", "uid"])
        let svc = try await cluster.json("service", "web")
        #expect(svc[path: "spec", "clusterIP"] == "None")

        let again = try await cluster.singleton("enable", "deploy/web", "--pdb", "--service")
        #expect(again.code == 0)
        #expect(again.out.contains("deployment.apps/web unchanged"))
        let after = try await cluster.json("deployment", "web")
        #expect(
            after[path: "metadata", "resourceVersion"] == web[path: "metadata", "resourceVersion"],
            "a second run writes nothing")

        let list = try await cluster.singleton("list")
        #expect(list.code == 0)
        #expect(list.out.hasPrefix("NAME                  MODE"))
        #expect(list.out.contains("deployment.apps/web   at-most-one   deny          1"), "\(list.out)")
        let status = try await cluster.singleton("status", "deploy/web", "-o", "json")
        #expect(try JSONValue.parse(Data(status.out.utf8))["podDisruptionBudget"] == "web-singleton")

        let disable = try await cluster.singleton("disable", "deploy/web")
        #expect(disable.code == 0, "\(disable.err)")
        #expect(disable.out.contains("poddisruptionbudget.policy/web-singleton deleted"))
        let gone = try await cluster.kubectl(["get", "pdb", "web-singleton"])
        #expect(gone.code != 0)
        let plain = try await cluster.json("deployment", "web")
        #expect(plain[path: "metadata", "annotations", "kube-singleton.dev/mode"] == nil)
        #expect(plain[path: "metadata", "annotations", "example.com/owner"] == "payments")
    }

    @Test func leasesAndCompletionThroughKubectl() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let lease = """
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata: {name: web-leader, namespace: default}
            spec: {holderIdentity: web-0_5f1c, leaseDurationSeconds: 15, leaseTransitions: 3, renewTime: "2024-06-11T04:19:37.976706Z"}
            """
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: lease).code == 0)
        let leases = try await cluster.singleton("leases")
        #expect(leases.code == 0, "\(leases.err)")
        #expect(leases.out.contains("lease.coordination.k8s.io/web-leader"))
        #expect(leases.out.contains("yes (est.)"))

        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.web).code == 0)
        let complete = try await cluster.kubectl(["__complete", "singleton", "enable", "deploy/w"])
        #expect(complete.out.hasPrefix("deploy/web\n:4\n"), "\(complete.out) \(complete.err)")
    }

    @Test func offlineCommandsThroughKubectl() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let version = try await cluster.singleton("version", "--client")
        #expect(version.out == "Client Version: v\(KubeSingletonVersion.current)\n")
        let lint = try await cluster.kubectl([
            "singleton", "lint", "-f", Paths.examples.appendingPathComponent("violating.yaml").path, "-o", "json",
        ])
        #expect(lint.code == 1)
        #expect(try JSONValue.parse(Data(lint.out.utf8))[path: "summary", "errors"] == 4)
        let stdin = try await cluster.kubectl(["singleton", "lint", "-f", "-"], stdin: PluginE2E.web)
        #expect(stdin.code == 0, "\(stdin.out)\(stdin.err)")
    }

    @Test func installDoctorUninstall() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let install = try await cluster.singleton("install")
        #expect(install.code == 0, "\(install.err)")
        let config = try await cluster.json("validatingwebhookconfiguration", "kube-singleton")
        #expect(config["webhooks"]?.arrayValue?.first?[path: "clientConfig", "caBundle"] != nil)
        let doctor = try await cluster.singleton("doctor")
        #expect(doctor.out.contains("caBundle signs the serving certificate"), "\(doctor.out)\(doctor.err)")
        let rerun = try await cluster.singleton("install")
        #expect(rerun.code == 0)
        #expect(
            !rerun.out.contains("created") && !rerun.out.contains("configured"), "a rerun changes nothing: \(rerun.out)"
        )
        let uninstall = try await cluster.singleton("uninstall")
        #expect(uninstall.code == 0, "\(uninstall.err)")
        #expect(try await cluster.kubectl(["get", "validatingwebhookconfiguration", "kube-singleton"]).code != 0)
    }
}
