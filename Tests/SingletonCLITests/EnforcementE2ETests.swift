import Foundation
import SingletonCore
import TestSupport
import Testing

/// Enforcement `warn` through real kubectl: the webhook installed by the plugin into the
/// sandbox (both webhook entries, from the embedded deploy/), served by the built binary.
@Suite(
    .enabled(if: PluginE2E.available, "needs /usr/bin/kubectl and the built products; skipped otherwise"), .serialized)
struct EnforcementE2ETests {
    /// A one-replica at-least-one singleton, with extra annotations.
    static func singleton(_ name: String, namespace: String, annotations: [String: String] = [:]) -> String {
        var lines = [
            "apiVersion: apps/v1", "kind: Deployment", "metadata:", "  name: \(name)", "  namespace: \(namespace)",
            "  annotations:", "    kube-singleton.dev/mode: at-least-one",
        ]
        lines += annotations.map { "    \($0.key): \"\($0.value)\"" }
        lines += [
            "spec:", "  replicas: 1", "  selector:", "    matchLabels: {app: \(name)}", "  template:", "    metadata:",
            "      labels: {app: \(name)}", "    spec:", "      containers:",
            "        - {name: app, image: nginx:1.27}",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    @Test func kubectlScaleOfASingletonInWarnIsAllowedAndKubectlPrintsTheWarning() async throws {
        let (cluster, webhook) = try await OutageTests.clusterWithWebhook()
        defer { cluster.stop() }
        defer { webhook.terminate() }
        let enforcement = SingletonAnnotation.enforcement

        // Control: without warn, the scale-up is denied.
        #expect(
            try await cluster.kubectl(["apply", "-f", "-"], stdin: Self.singleton("strict", namespace: "default")).code
                == 0)
        let denied = try await cluster.kubectl(["scale", "deploy/strict", "--replicas=3"])
        #expect(denied.code != 0 && denied.err.contains("scaling to 3 replicas is denied"), "\(denied.err)")

        // The workload's annotation: allowed, with the denial's message as kubectl's warning.
        #expect(
            try await cluster.kubectl(
                ["apply", "-f", "-"],
                stdin: Self.singleton("x", namespace: "default", annotations: [enforcement: "warn"])
            ).code == 0)
        let scaled = try await cluster.kubectl(["scale", "deploy/x", "--replicas=3"])
        #expect(scaled.code == 0, "\(scaled.err)")
        #expect(
            scaled.err.contains(
                "Warning: Deployment default/x is a singleton (kube-singleton.dev/mode=at-least-one): scaling to 3 replicas is denied."
            ), "\(scaled.err)")
        #expect(try await cluster.json("deploy", "x")[path: "spec", "replicas"]?.intValue == 3)

        // Back to deny while scaled out is judged: scale to 1 first.
        let tightened = try await cluster.kubectl(["annotate", "deploy/x", "\(enforcement)=deny", "--overwrite"])
        #expect(tightened.code != 0 && tightened.err.contains("spec.replicas would be 3"), "\(tightened.err)")

        // An unknown value is denied with the accepted values.
        let unknown = try await cluster.kubectl(["annotate", "deploy/strict", "\(enforcement)=audit"])
        #expect(unknown.code != 0 && unknown.err.contains("accepted values: deny, warn"), "\(unknown.err)")

        // A namespace labelled warn goes to the warn-only entry, which the others skip.
        #expect(try await cluster.kubectl(["create", "namespace", "canary"]).code == 0)
        #expect(try await cluster.kubectl(["label", "namespace", "canary", "\(enforcement)=warn"]).code == 0)
        let applied = try await cluster.kubectl(
            ["apply", "-f", "-"], stdin: Self.singleton("late", namespace: "canary"))
        #expect(applied.code == 0, "\(applied.err)")
        let inCanary = try await cluster.kubectl(["-n", "canary", "scale", "deploy/late", "--replicas=2"])
        #expect(inCanary.code == 0, "\(inCanary.err)")
        #expect(
            inCanary.err.contains("Warning: Deployment canary/late is a singleton")
                && inCanary.err.contains("(Allowed: enforcement is warn.)"),
            "\(inCanary.err)")
        // Judged once: one warning, not a denial by the first entry.
        #expect(inCanary.err.components(separatedBy: "Warning: Deployment canary/late").count == 2, "\(inCanary.err)")

        // A CronJob with the default concurrencyPolicy (Allow), in warn: created, with the warning.
        let cronJob = UnsupportedKindsTests.cronJob.replacingOccurrences(
            of: "{kube-singleton.dev/mode: at-most-one}",
            with: "{kube-singleton.dev/mode: at-most-one, kube-singleton.dev/enforcement: warn}")
        let created = try await cluster.kubectl(["create", "-f", "-"], stdin: cronJob)
        #expect(created.code == 0, "\(created.err)")
        #expect(
            created.err.contains(
                "Warning: CronJob default/report is a singleton (kube-singleton.dev/mode=at-most-one), but spec.concurrencyPolicy is Allow"
            ), "\(created.err)")

        // doctor sees the split.
        let doctor = try await cluster.singleton("doctor")
        #expect(
            doctor.out.contains("namespaces labelled kube-singleton.dev/enforcement=warn are only warned"),
            "\(doctor.out)")
    }
}
