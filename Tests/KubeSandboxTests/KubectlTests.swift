import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

// Real kubectl (/usr/bin/kubectl) against a running sandbox over HTTPS. Skipped, with the
// reason shown in the test report, where kubectl is not installed.
@Suite(
    "Real kubectl against the sandbox", .serialized,
    .enabled(if: kubectlAvailable, "kubectl is not installed at /usr/bin/kubectl"))
struct KubectlTests {
    @Test func applyGetScaleAnnotatePatchDelete() async throws {
        let f = try await SandboxFixture.start()
        defer { Task { await f.stop() } }
        var r = try await f.run("apply", "-f", "-", stdin: webYAML)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("deployment.apps/web created"))
        r = try await f.run(
            "apply", "-f", "-", stdin: webYAML.replacingOccurrences(of: "nginx:1.27", with: "nginx:1.28"))
        #expect(r.stdout.contains("deployment.apps/web configured"), "\(r.stderr)")

        r = try await f.run("get", "deploy")
        let header = r.stdout.split(separator: "\n").first.map(String.init) ?? ""
        #expect(
            header.split(separator: " ", omittingEmptySubsequences: true) == [
                "NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE",
            ])
        #expect(r.stdout.contains("1/1"))
        r = try await f.run("get", "deploy", "web", "-o", "json")
        let json = try JSONValue.parse(Data(r.stdout.utf8))
        #expect(json[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["image"] == "nginx:1.28")
        #expect(json[path: "metadata", "generation"] == 2)

        r = try await f.run("scale", "deploy/web", "--replicas=3")
        #expect(r.stdout.contains("deployment.apps/web scaled"), "\(r.stderr)")
        r = try await f.run("get", "pods", "-o", "name")
        #expect(r.stdout.split(separator: "\n").count == 3)

        r = try await f.run("annotate", "deploy", "web", "kube-singleton.dev/mode=at-most-one")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await f.run(
            "patch", "deploy", "web", "--type=strategic", "-p",
            #"{"spec":{"template":{"spec":{"containers":[{"name":"app","image":"nginx:1.29"}]}}}}"#)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await f.run(
            "patch", "deploy", "web", "--type=merge", "-p", #"{"metadata":{"labels":{"tier":"front"}}}"#)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await f.run(
            "patch", "deploy", "web", "--type=json", "-p", #"[{"op":"replace","path":"/spec/replicas","value":2}]"#)
        #expect(r.status == 0, "\(r.stderr)")
        let after = try JSONValue.parse(Data(try await f.run("get", "deploy", "web", "-o", "json").stdout.utf8))
        #expect(after[path: "metadata", "annotations", "kube-singleton.dev/mode"] == "at-most-one")
        #expect(after[path: "metadata", "labels", "tier"] == "front")
        #expect(after[path: "spec", "replicas"] == 2)
        let container = after[path: "spec", "template", "spec", "containers"]?.arrayValue?.first
        #expect(container?["image"] == "nginx:1.29")
        #expect(container?["ports"] != nil, "strategic merge must keep the container's other fields")

        r = try await f.run("scale", "deploy/web", "--replicas=5", "--dry-run=server")
        #expect(r.stdout.contains("(server dry run)"), "\(r.stderr)")
        #expect(try await f.run("get", "deploy", "web", "-o", "jsonpath={.spec.replicas}").stdout == "2")

        r = try await f.run("delete", "deploy", "web")
        #expect(r.stdout.contains("deployment.apps \"web\" deleted"), "\(r.stderr)")
        r = try await f.run("get", "rs,pods", "-o", "name")
        #expect(r.stdout.isEmpty, "owned ReplicaSets and Pods are garbage-collected: \(r.stdout)")
    }

    @Test func typedGeneratorsSendProtobufAndAreDecoded() async throws {
        let f = try await SandboxFixture.start()
        defer { Task { await f.stop() } }
        var r = try await f.run("create", "namespace", "team-a")
        #expect(r.stdout.contains("namespace/team-a created"), "\(r.stderr)")
        r = try await f.run("-n", "team-a", "create", "configmap", "settings", "--from-literal=mode=at-most-one")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(
            try await f.run("-n", "team-a", "get", "configmap", "settings", "-o", "jsonpath={.data.mode}").stdout
                == "at-most-one")
        r = try await f.run("create", "deployment", "hello", "--image=nginx:1.27", "--replicas=2", "--port=80")
        #expect(r.status == 0, "\(r.stderr)")
        let d = try JSONValue.parse(Data(try await f.run("get", "deploy", "hello", "-o", "json").stdout.utf8))
        #expect(d[path: "spec", "replicas"] == 2)
        #expect(d[path: "spec", "selector", "matchLabels", "app"] == "hello")
        #expect(d[path: "spec", "template", "spec", "containers"]?.arrayValue?.first?["image"] == "nginx:1.27")
        r = try await f.run("autoscale", "deploy", "hello", "--max=3")
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try await f.run("get", "hpa", "hello", "-o", "jsonpath={.spec.maxReplicas}").stdout == "3")
        r = try await f.run("create", "deployment", "zero", "--image=nginx", "--replicas=0")
        #expect(
            try await f.run("get", "deploy", "zero", "-o", "jsonpath={.spec.replicas}").stdout == "0", "\(r.stderr)")
    }

    @Test func leasesShowTheirHolderAndTokenAuthWorks() async throws {
        let f = try await SandboxFixture.start(token: true)
        defer { Task { await f.stop() } }
        let lease = """
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata: {name: web-leader}
            spec: {holderIdentity: web-7d9f_4b2c, leaseDurationSeconds: 15}
            """
        var r = try await f.run("apply", "-f", "-", stdin: lease)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await f.run("get", "leases")
        #expect(r.stdout.contains("HOLDER"))
        #expect(r.stdout.contains("web-7d9f_4b2c"))
        #expect(f.sandbox.kubeconfig.contains("token: "))
    }

    @Test func unauthenticatedRequestsAreRejected() async throws {
        let f = try await SandboxFixture.start()
        defer { Task { await f.stop() } }
        let anonymous = f.sandbox.kubeconfig(usingToken: true).replacingOccurrences(
            of: f.sandbox.adminToken, with: "wrong-token")
        let path = f.dir.appendingPathComponent("anonymous").path
        try Data(anonymous.utf8).write(to: URL(fileURLWithPath: path))
        let r = try await kubectl(path, ["get", "pods"], stdin: "")
        #expect(r.status != 0)
        #expect(r.stderr.contains("You must be logged in to the server"), "\(r.stderr)")
    }

    @Test(arguments: [403, nil] as [Int?])
    func webhookDenialReachesKubectl(code: Int?) async throws {
        let f = try await SandboxFixture.start()
        let hook = try await TestWebhook.start(.deny(code: code))
        defer {
            Task {
                await hook.stop(); await f.stop()
            }
        }
        var r = try await f.run(
            "apply", "-f", "-",
            stdin: registration(name: "deny.test.dev", url: hook.url, caPEM: hook.caPEM, failurePolicy: "Fail"))
        #expect(r.status == 0, "\(r.stderr)")
        r = try await f.run("apply", "-f", "-", stdin: webYAML)
        #expect(r.status == 0, "\(r.stderr)")
        r = try await f.run("scale", "deploy/web", "--replicas=3")
        #expect(r.status != 0)
        // kubectl names the reason only when the Status has one (our webhook sets Forbidden with 403).
        let prefix = code == 403 ? "Error from server (Forbidden): " : "Error from server: "
        #expect(
            r.stderr.contains(
                "\(prefix)admission webhook \"deny.test.dev\" denied the request: test webhook: 3 replicas is too many"),
            "\(r.stderr)")
        r = try await f.run("scale", "deploy/web", "--replicas=0")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await f.run("scale", "deploy/web", "--replicas=3", "--dry-run=server")
        #expect(r.status != 0, "dry runs are admitted too")
    }

    @Test func webhookWarningsArePrinted() async throws {
        let f = try await SandboxFixture.start()
        let hook = try await TestWebhook.start(.warn)
        defer {
            Task {
                await hook.stop(); await f.stop()
            }
        }
        _ = try await f.run(
            "apply", "-f", "-",
            stdin: registration(name: "warn.test.dev", url: hook.url, caPEM: hook.caPEM, failurePolicy: "Fail"))
        let r = try await f.run("apply", "-f", "-", stdin: webYAML)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("Warning: test webhook: consider fewer replicas"), "\(r.stderr)")
    }

    @Test(arguments: ["Fail", "Ignore"])
    func webhookTimeoutFollowsFailurePolicy(policy: String) async throws {
        let f = try await SandboxFixture.start()
        let hook = try await TestWebhook.start(.slow(seconds: 4))
        defer {
            Task {
                await hook.stop(); await f.stop()
            }
        }
        _ = try await f.run(
            "apply", "-f", "-",
            stdin: registration(
                name: "slow.test.dev", url: hook.url, caPEM: hook.caPEM, failurePolicy: policy, timeoutSeconds: 1))
        let r = try await f.run("apply", "-f", "-", stdin: webYAML)
        if policy == "Fail" {
            #expect(r.status != 0)
            #expect(r.stderr.contains("failed calling webhook \"slow.test.dev\""), "\(r.stderr)")
            #expect(r.stderr.contains("context deadline exceeded"), "\(r.stderr)")
        } else {
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    @Test(arguments: ["Fail", "Ignore"])
    func webhookDownFollowsFailurePolicy(policy: String) async throws {
        let f = try await SandboxFixture.start()
        let hook = try await TestWebhook.start(.warn)
        let url = hook.url
        await hook.stop()
        defer { Task { await f.stop() } }
        _ = try await f.run(
            "apply", "-f", "-",
            stdin: registration(name: "down.test.dev", url: url, caPEM: hook.caPEM, failurePolicy: policy))
        let r = try await f.run("apply", "-f", "-", stdin: webYAML)
        if policy == "Fail" {
            #expect(r.status != 0)
            #expect(
                r.stderr.contains(
                    "Internal error occurred: failed calling webhook \"down.test.dev\": failed to call webhook: Post \"\(url)?timeout=2s\""
                ), "\(r.stderr)")
        } else {
            #expect(r.status == 0, "\(r.stderr)")
        }
    }

    @Test func webhookWithAnotherCAIsNotTrusted() async throws {
        let f = try await SandboxFixture.start()
        let hook = try await TestWebhook.start(.warn)
        defer {
            Task {
                await hook.stop(); await f.stop()
            }
        }
        _ = try await f.run(
            "apply", "-f", "-",
            stdin: registration(name: "wrongca.test.dev", url: hook.url, caPEM: f.sandbox.caPEM, failurePolicy: "Fail"))
        let r = try await f.run("apply", "-f", "-", stdin: webYAML)
        #expect(r.status != 0, "a webhook whose certificate does not chain to caBundle must not be called")
    }
}
