import Foundation
#if canImport(Glibc)
import Glibc
#endif
import SingletonCore
import TestSupport
import Testing

/// The real webhook, installed by the plugin into the sandbox and run from the built
/// binary, then stopped: real kubectl shows what a webhook outage blocks and what it never
/// blocks (README, "When the webhook is down").
@Suite(
    .enabled(if: PluginE2E.available, "needs /usr/bin/kubectl and the built products; skipped otherwise"), .serialized)
struct OutageTests {
    /// A TCP port nothing listens on at the moment (bound to port 0 and released).
    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0
            }
        }
        guard bound else { throw PluginE2E.CLIFailure(message: "no free port") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    /// The sandbox routing the webhook Service to `port`, with the webhook installed.
    static func installedCluster(port: Int) async throws -> PluginE2E.Cluster {
        let cluster = try await PluginE2E.Cluster.start(arguments: [
            "--service-endpoint", "singleton-system/singleton-webhook=https://127.0.0.1:\(port)",
        ])
        let install = try await cluster.singleton("install")
        guard install.code == 0 else {
            cluster.stop()
            throw PluginE2E.CLIFailure(message: "install failed: \(install.out)\(install.err)")
        }
        return cluster
    }

    /// Starts `singleton-webhook serve` with the certificate `install` stored in the Secret,
    /// and waits until its parent cache has synced.
    static func startWebhook(_ cluster: PluginE2E.Cluster, port: Int) async throws -> Process {
        let products = try #require(PluginE2E.productsDirectory)
        let secret = try await cluster.json("secret", "singleton-webhook-tls", "-n", "singleton-system")
        for file in ["tls.crt", "tls.key"] {
            let pem = try #require(Data(base64Encoded: secret[path: "data", file]?.stringValue ?? ""))
            try pem.write(to: cluster.dir.appendingPathComponent(file))
        }
        let metrics = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "\(products)/singleton-webhook")
        process.arguments = [
            "serve", "--host", "127.0.0.1", "--port", "\(port)", "--metrics-host", "127.0.0.1", "--metrics-port",
            "\(metrics)",
            "--tls-cert-file", cluster.dir.appendingPathComponent("tls.crt").path,
            "--tls-key-file", cluster.dir.appendingPathComponent("tls.key").path,
            "--kubeconfig", cluster.dir.appendingPathComponent("kubeconfig").path,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        for _ in 0..<150 {
            let ready = try await runProcess(
                "/usr/bin/curl", ["-sf", "http://127.0.0.1:\(metrics)/readyz"], environment: [:])
            if ready.status == 0 { return process }
            try await Task.sleep(for: .milliseconds(200))
        }
        process.terminate()
        throw PluginE2E.CLIFailure(message: "singleton-webhook did not become ready")
    }

    /// The sandbox with the webhook installed and `singleton-webhook` serving it.
    static func clusterWithWebhook() async throws -> (PluginE2E.Cluster, Process) {
        let port = try freePort()
        let cluster = try await installedCluster(port: port)
        do {
            return (cluster, try await startWebhook(cluster, port: port))
        } catch {
            cluster.stop()
            throw error
        }
    }

    static func stop(_ process: Process) async throws {
        process.terminate()
        try await offThePool { process.waitUntilExit() }
    }

    @Test func aUsersScaleUpOfAnOwnedReplicaSetIsDeniedThroughBothPaths() async throws {
        let (cluster, webhook) = try await Self.clusterWithWebhook()
        defer { cluster.stop() }
        defer { webhook.terminate() }
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.web).code == 0)
        #expect(try await cluster.singleton("enable", "deploy/web", "--mode", "at-least-one").code == 0)
        let sets = try await cluster.json("replicasets", "-l", "app=web")
        let rs = try #require(
            sets["items"]?.arrayValue?.first { $0[path: "spec", "replicas"]?.intValue == 1 }?[path: "metadata", "name"]?
                .stringValue)

        let pointer = "ReplicaSet default/\(rs) belongs to Deployment default/web"
        let scaled = try await cluster.kubectl(["scale", "rs/\(rs)", "--replicas=3"])
        #expect(scaled.code != 0 && scaled.err.contains(pointer), "\(scaled.err)")
        let patched = try await cluster.kubectl(["patch", "rs", rs, "--type=merge", "-p", #"{"spec":{"replicas":3}}"#])
        #expect(patched.code != 0 && patched.err.contains(pointer), "\(patched.err)")
        #expect(patched.err.contains("Scale Deployment default/web instead"))

        // The Deployment controller's own writes go through: a rollout creates and scales ReplicaSets.
        #expect(try await cluster.kubectl(["set", "image", "deploy/web", "web=nginx:1.28"]).code == 0)
        let after = try await cluster.json("replicasets", "-l", "app=web")
        let live = after["items"]?.arrayValue?.filter { ($0[path: "spec", "replicas"]?.intValue ?? 0) > 0 } ?? []
        #expect(
            live.count == 1
                && live.first?[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["image"]
                    == "nginx:1.28"
        )
    }

    @Test func doctorProbesTheWebhookThroughTheAPIServerWhenNoEndpointIsVisible() async throws {
        let (cluster, webhook) = try await Self.clusterWithWebhook()
        defer { cluster.stop() }
        let healthy = try await cluster.singleton("doctor")
        #expect(
            squeezed(healthy.out).contains(
                squeezed(
                    "OK       endpoints               no ready Endpoints or EndpointSlices visible, but the webhook answered a dry-run review"
                )), "\(healthy.out)")
        #expect(
            squeezed(healthy.out).contains(squeezed("UNKNOWN  your RBAC")),
            "the sandbox answers no SelfSubjectAccessReview")
        #expect(
            try await cluster.kubectl(["get", "deployment", "kube-singleton-doctor-probe"]).code != 0,
            "the probe is a dry run")
        try await Self.stop(webhook)
        let down = try await cluster.singleton("doctor")
        #expect(down.code == 1)
        #expect(
            squeezed(down.out).contains(
                squeezed("FAIL     endpoints               the API server cannot call the webhook:")), "\(down.out)")
        #expect(down.out.contains("failed calling webhook \"workloads.kube-singleton.dev\""))
    }

    @Test func anAnnotatedCronJobWithTheDefaultPolicyIsDenied() async throws {
        let (cluster, webhook) = try await Self.clusterWithWebhook()
        defer { cluster.stop() }
        defer { webhook.terminate() }
        let created = try await cluster.kubectl(["create", "-f", "-"], stdin: UnsupportedKindsTests.cronJob)
        #expect(created.code != 0, "\(created.out)")
        #expect(
            created.err.contains(
                "admission webhook \"batch.kube-singleton.dev\" denied the request: CronJob default/report is a singleton (kube-singleton.dev/mode=at-most-one), but spec.concurrencyPolicy is Allow (the default)"
            ), "\(created.err)")
        let forbid = UnsupportedKindsTests.cronJob.replacingOccurrences(
            of: "\n  schedule:", with: "\n  concurrencyPolicy: Forbid\n  startingDeadlineSeconds: 300\n  schedule:")
        let allowed = try await cluster.kubectl(["create", "-f", "-"], stdin: forbid)
        #expect(allowed.code == 0, "\(allowed.err)")
        let daemonSet = try await cluster.kubectl(["create", "-f", "-"], stdin: UnsupportedKindsTests.daemonSet)
        #expect(daemonSet.code == 0, "a warning, not a denial: \(daemonSet.err)")
        #expect(
            daemonSet.err.contains("Warning: kube-singleton.dev/mode has no effect on DaemonSet default/agent"),
            "\(daemonSet.err)")
    }

    @Test func aWebhookOutageNeverBlocksAScaleDownARestartOrTheOptOut() async throws {
        let (cluster, webhook) = try await Self.clusterWithWebhook()
        defer { cluster.stop() }

        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.web).code == 0)
        let enable = try await cluster.singleton("enable", "deploy/web", "--mode", "at-least-one")
        #expect(enable.code == 0, "\(enable.err)")
        let guarded = try await cluster.kubectl(["scale", "deploy/web", "--replicas=3"])
        #expect(
            guarded.code != 0
                && guarded.err.contains("admission webhook \"scale.kube-singleton.dev\" denied the request"),
            "\(guarded.err)")

        try await Self.stop(webhook)

        for step in [
            ["scale", "deploy/web", "--replicas=0"], ["scale", "deploy/web", "--replicas=1"],
            ["rollout", "restart", "deploy/web"], ["set", "image", "deploy/web", "web=nginx:1.28"],
        ] {
            let r = try await cluster.kubectl(step)
            #expect(r.code == 0, "kubectl \(step.joined(separator: " ")) with the webhook down: \(r.err)")
        }
        // A raise of replicas in the object reaches the workloads webhook, whose failurePolicy is Fail.
        let patched = try await cluster.kubectl([
            "patch", "deploy/web", "--type=merge", "-p", #"{"spec":{"replicas":2}}"#,
        ])
        #expect(
            patched.code != 0 && patched.err.contains("failed calling webhook \"workloads.kube-singleton.dev\""),
            "\(patched.err)")
        // The scale webhook's default failurePolicy Ignore lets a scale-up through (the documented trade-off)...
        let ignored = try await cluster.kubectl(["scale", "deploy/web", "--replicas=3"])
        #expect(ignored.code == 0, "\(ignored.err)")
        #expect(try await cluster.kubectl(["scale", "deploy/web", "--replicas=1"]).code == 0)
        // ...and with install --failure-policy-scale Fail it is refused.
        let strict = try await cluster.singleton("install", "--failure-policy-scale", "Fail")
        #expect(strict.code == 0, "\(strict.out)\(strict.err)")
        let refused = try await cluster.kubectl(["scale", "deploy/web", "--replicas=3"])
        #expect(
            refused.code != 0 && refused.err.contains("failed calling webhook \"scale.kube-singleton.dev\""),
            "\(refused.err)")

        let disable = try await cluster.singleton("disable", "deploy/web")
        #expect(disable.code == 0, "the opt-out with the webhook down: \(disable.out)\(disable.err)")
        let web = try await cluster.json("deployment", "web")
        #expect(web[path: "metadata", "annotations", "kube-singleton.dev/mode"] == nil)
        #expect(web[path: "spec", "template", "metadata", "annotations", "kubectl.kubernetes.io/restartedAt"] != nil)
        #expect(web[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["image"] == "nginx:1.28")
    }
}

/// `install` through kubectl's plugin dispatch against the sandbox, which serves no cert-manager.
@Suite(
    .enabled(if: PluginE2E.available, "needs /usr/bin/kubectl and the built products; skipped otherwise"), .serialized)
struct InstallSafetyE2ETests {
    @Test func certManagerInstallWithoutCertManagerLeavesNoWebhookConfiguration() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let install = try await cluster.singleton("install", "--cert-manager")
        #expect(install.code == 1)
        #expect(install.err.contains("cert-manager is not installed"), "\(install.err)")
        #expect(try await cluster.kubectl(["get", "validatingwebhookconfiguration", "kube-singleton"]).code != 0)
        #expect(try await cluster.kubectl(["get", "namespace", "singleton-system"]).code != 0, "nothing was created")
        // The workloads keep working: nothing refers to a webhook that is not there.
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.web).code == 0)
    }
}

/// `doctor` against a server it cannot use, through kubectl's plugin dispatch.
@Suite(
    .enabled(if: PluginE2E.available, "needs /usr/bin/kubectl and the built products; skipped otherwise"), .serialized)
struct DoctorErrorsE2ETests {
    @Test func anUnreachableServerIsNamedAndInstallIsNotAdvised() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let port = try OutageTests.freePort()
        let bad = cluster.dir.appendingPathComponent("unreachable.kubeconfig")
        try """
        apiVersion: v1
        kind: Config
        clusters: [{name: gone, cluster: {server: "https://127.0.0.1:\(port)", insecure-skip-tls-verify: true}}]
        users: [{name: u, user: {token: t}}]
        contexts: [{name: gone, context: {cluster: gone, user: u}}]
        current-context: gone
        """.write(to: bad, atomically: true, encoding: .utf8)
        let run = try await cluster.singleton("doctor", "--kubeconfig", bad.path)
        #expect(run.code == 1)
        #expect(
            squeezed(run.out).contains(
                squeezed("FAIL     API server              Unable to connect to the server https://127.0.0.1:\(port)")),
            "\(run.out)\(run.err)")
        #expect(!run.out.contains("install"))
    }

    @Test func refusedCredentialsAreA401NotAMissingInstallation() async throws {
        let cluster = try await PluginE2E.Cluster.start(arguments: ["--token-auth", "--token", "the-right-token"])
        defer { cluster.stop() }
        let config = try String(contentsOf: cluster.dir.appendingPathComponent("kubeconfig"), encoding: .utf8)
        #expect(config.contains("the-right-token"))
        let wrong = cluster.dir.appendingPathComponent("wrong.kubeconfig")
        try config.replacingOccurrences(of: "the-right-token", with: "a-wrong-token").write(
            to: wrong, atomically: true, encoding: .utf8)
        let run = try await cluster.singleton("doctor", "--kubeconfig", wrong.path)
        #expect(run.code == 1)
        #expect(run.out.contains("the API server refused your credentials (401 Unauthorized)"), "\(run.out)\(run.err)")
        #expect(!run.out.contains("install"))
    }
}
