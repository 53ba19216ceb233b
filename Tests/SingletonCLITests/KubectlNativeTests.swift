import Foundation
import KubeAPIMachinery
import SingletonCLI
import SingletonCore
import TestSupport
import Testing

extension PluginE2E {
    /// A one-replica Deployment `name` in `namespace` with the given labels on it and its pods.
    static func deployment(
        _ name: String, namespace: String = "shop", labels: [String: String] = [:], replicas: Int = 1
    ) -> String {
        let all = labels.merging(["app": name]) { a, _ in a }
        let flow = "{" + all.keys.sorted().map { "\($0): \(all[$0]!)" }.joined(separator: ", ") + "}"
        return """
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: \(name), namespace: \(namespace), labels: \(flow)}
            spec:
              replicas: \(replicas)
              selector: {matchLabels: {app: \(name)}}
              template:
                metadata: {labels: \(flow)}
                spec: {containers: [{name: app, image: "nginx:1.27"}]}
            """
    }
}

/// Issue #20 part A: the plugin's commands behave as kubectl's do, through real kubectl's
/// plugin dispatch against the sandbox.
@Suite(
    .enabled(
        if: PluginE2E.available,
        "needs /usr/bin/kubectl and built kubectl-singleton + singleton-sandbox (the real KubeSandbox); skipped otherwise"
    ),
    .serialized)
struct KubectlNativeTests {
    /// Issue #20 item 1: several targets and -l, each with its own report line.
    @Test func severalTargetsAndSelectorsThroughKubectl() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        #expect(try await cluster.kubectl(["create", "namespace", "shop"]).code == 0)
        for d in [
            PluginE2E.deployment("a", labels: ["tier": "sched"]),
            PluginE2E.deployment("b", labels: ["tier": "sched"], replicas: 2),
            PluginE2E.deployment("c", labels: ["tier": "web"]),
        ] {
            let applied = try await cluster.kubectl(["apply", "-f", "-"], stdin: d)
            #expect(applied.code == 0, "\(applied.err)")
        }
        let enable = try await cluster.singleton("enable", "deploy/a", "deploy/b", "-n", "shop")
        #expect(enable.code == 0, "\(enable.err)")
        #expect(enable.out.contains("deployment.apps/a configured: annotated kube-singleton.dev/mode=at-most-one"))
        #expect(
            enable.out.contains(
                "deployment.apps/b configured: annotated kube-singleton.dev/mode=at-most-one; lowered replicas from 2 to 1"
            ))
        for name in ["a", "b"] {
            #expect(
                try await cluster.json("deployment", name, "-n", "shop")[
                    path: "metadata", "annotations", "kube-singleton.dev/mode"] == "at-most-one")
        }
        let status = try await cluster.singleton("status", "deploy", "a", "b", "-n", "shop")
        #expect(status.code == 0, "\(status.err)")
        #expect(
            status.out.contains("Name:          deployment.apps/a")
                && status.out.contains("Name:          deployment.apps/b"))
        let disable = try await cluster.singleton("disable", "deploy", "a", "b", "-n", "shop")
        #expect(disable.code == 0, "\(disable.err)")
        #expect(disable.out.contains("deployment.apps/a configured: removed annotation kube-singleton.dev/mode"))
        #expect(disable.out.contains("deployment.apps/b configured: removed annotation kube-singleton.dev/mode"))

        let selected = try await cluster.singleton(
            "enable", "deploy", "-l", "tier=sched", "-n", "shop", "--mode", "at-least-one")
        #expect(selected.code == 0, "\(selected.err)")
        #expect(
            selected.out == """
                deployment.apps/a configured: annotated kube-singleton.dev/mode=at-least-one
                deployment.apps/b configured: annotated kube-singleton.dev/mode=at-least-one

                """)
        #expect(
            try await cluster.json("deployment", "c", "-n", "shop")[
                path: "metadata", "annotations", "kube-singleton.dev/mode"] == nil)

        // One missing target: the others are still done, the exit status says a target failed.
        let partly = try await cluster.singleton("enable", "deploy/missing", "deploy/c", "-n", "shop")
        #expect(partly.code == 1)
        #expect(partly.err.contains("Error from server (NotFound)") && partly.err.contains("missing"), "\(partly.err)")
        #expect(partly.out.contains("deployment.apps/c configured"))
        let mixed = try await cluster.singleton("enable", "deploy/a", "b", "-n", "shop")
        #expect(mixed.code == 1 && mixed.err.contains("give every workload as KIND/NAME"), "\(mixed.err)")
    }

    /// Issue #20 item 2: a rerun hint repeats the user's command, every flag included.
    @Test func rerunHintRepeatsTheExactCommand() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        #expect(try await cluster.kubectl(["create", "namespace", "shop"]).code == 0)
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.deployment("clash")).code == 0)
        // Someone else's budget holds the name (selecting other pods: one that selected these
        // would be reused instead).
        let foreign = """
            apiVersion: policy/v1
            kind: PodDisruptionBudget
            metadata: {name: clash-singleton, namespace: shop}
            spec: {minAvailable: 1, selector: {matchLabels: {app: other}}}
            """
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: foreign).code == 0)
        let kubeconfig = cluster.dir.appendingPathComponent("kubeconfig").path
        let run = try await cluster.singleton(
            "enable", "deploy/clash", "--pdb", "--mode", "at-least-one", "-n", "shop", "--kubeconfig", kubeconfig)
        #expect(run.code == 1)
        #expect(
            run.err.contains(
                "rerun `kubectl singleton enable deploy/clash --pdb --mode at-least-one -n shop --kubeconfig \(kubeconfig)` to finish"
            ), "\(run.err)")

        // A hint to run another command keeps the namespace and the connection flags.
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.deployment("plain")).code == 0)
        let status = try await cluster.singleton("status", "deploy/plain", "-n", "shop", "--kubeconfig", kubeconfig)
        #expect(
            status.err.contains("kubectl singleton enable deployment.apps/plain -n shop --kubeconfig \(kubeconfig)"),
            "\(status.err)")
        // A risk's fix keeps the singleton's mode, the namespace and the connection flags.
        #expect(try await cluster.singleton("enable", "deploy/plain", "-n", "shop", "--mode", "at-least-one").code == 0)
        let risky = try await cluster.singleton("status", "deploy/plain", "-n", "shop", "--kubeconfig", kubeconfig)
        #expect(
            risky.out.contains(
                "(kubectl singleton enable deployment.apps/plain -n shop --kubeconfig \(kubeconfig) --mode at-least-one --pdb)"
            ), "\(risky.out)")
    }

    /// Issue #20 item 13: kubectl's flag spellings, global flags anywhere, -l, --no-headers,
    /// -o name and jsonpath, bare --dry-run, and the connection flags kubectl users type.
    @Test func kubectlFlagParityThroughKubectl() async throws {
        let cluster = try await PluginE2E.Cluster.start(arguments: ["--token", "parity-token"])
        defer { cluster.stop() }
        #expect(try await cluster.kubectl(["create", "namespace", "shop"]).code == 0)
        for d in [
            PluginE2E.deployment("a", labels: ["team": "pay"]), PluginE2E.deployment("b", labels: ["team": "ops"]),
            PluginE2E.deployment("c"),
        ] {
            #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: d).code == 0)
        }
        let enable = try await cluster.singleton("-n", "shop", "enable", "deploy/a", "deploy/b")
        #expect(enable.code == 0, "\(enable.err)")
        for spelling in [
            ["list", "-nshop", "-o", "name"], ["list", "--namespace=shop", "-o", "name"],
            ["-n", "shop", "list", "-o", "name"],
            ["--namespace", "shop", "list", "-oname"], ["-n=shop", "list", "-o", "name"],
        ] {
            let run = try await cluster.kubectl(["singleton"] + spelling)
            #expect(
                run.code == 0 && run.out == "deployment.apps/a\ndeployment.apps/b\n",
                "\(spelling): \(run.out)\(run.err)")
        }
        let selected = try await cluster.singleton("list", "-n", "shop", "-l", "team=pay", "-o", "name")
        #expect(selected.out == "deployment.apps/a\n", "\(selected.err)")
        let bare = try await cluster.singleton("list", "-n", "shop", "--no-headers")
        #expect(bare.out.hasPrefix("deployment.apps/a   at-most-one"), "\(bare.out)")
        #expect(!bare.out.contains("MODE"))
        let names = try await cluster.singleton("list", "-n", "shop", "-o", "jsonpath={.items[*].metadata.name}")
        #expect(names.out == "a b", "\(names.out)\(names.err)")
        let ranged = try await cluster.singleton(
            "list", "-n", "shop", "-o", #"jsonpath={range .items[*]}{.apiVersion} {.kind}/{.metadata.name}{"\n"}{end}"#)
        #expect(ranged.out == "apps/v1 Deployment/a\napps/v1 Deployment/b\n", "\(ranged.out)\(ranged.err)")
        let json = try JSONValue.parse(Data(try await cluster.singleton("list", "-n", "shop", "-o", "json").out.utf8))
        #expect(json["items"]?.arrayValue?.first?["apiVersion"] == "apps/v1")
        #expect(json["items"]?.arrayValue?.first?["kind"] == "Deployment")
        let badPath = try await cluster.singleton("list", "-n", "shop", "-o", "jsonpath={range .items[*]}")
        #expect(badPath.code == 1 && badPath.err.contains("error parsing jsonpath"), "\(badPath.err)")

        // Bare --dry-run is client: nothing is written.
        let dry = try await cluster.singleton("enable", "deploy/c", "--dry-run", "-n", "shop")
        #expect(
            dry.code == 0
                && dry.out.contains("deployment.apps/c configured: annotated kube-singleton.dev/mode=at-most-one;")
                && dry.out.contains("(dry run)\n"), "\(dry.out)\(dry.err)")
        #expect(
            try await cluster.json("deployment", "c", "-n", "shop")[
                path: "metadata", "annotations", "kube-singleton.dev/mode"] == nil)

        // --server, --certificate-authority, --token and --insecure-skip-tls-verify without a kubeconfig entry.
        let config = try YAMLBridge.documents(
            try String(contentsOf: cluster.dir.appendingPathComponent("kubeconfig"), encoding: .utf8))[0]
        let clusterEntry = try #require(config["clusters"]?.arrayValue?.first?["cluster"])
        let server = try #require(clusterEntry["server"]?.stringValue)
        let caFile = cluster.dir.appendingPathComponent("ca.pem")
        try #require(Data(base64Encoded: clusterEntry["certificate-authority-data"]?.stringValue ?? "")).write(
            to: caFile)
        let empty = cluster.dir.appendingPathComponent("empty-kubeconfig")
        try "apiVersion: v1\nkind: Config\n".write(to: empty, atomically: true, encoding: .utf8)
        let viaFlags = try await cluster.singleton(
            "list", "-n", "shop", "--kubeconfig", empty.path, "--server", server,
            "--certificate-authority", caFile.path, "--token", "parity-token", "-o", "name")
        #expect(viaFlags.code == 0 && viaFlags.out == "deployment.apps/a\ndeployment.apps/b\n", "\(viaFlags.err)")
        let insecure = try await cluster.singleton(
            "--kubeconfig", empty.path, "-s", server, "--insecure-skip-tls-verify", "--token=parity-token",
            "list", "-n", "shop", "-o", "name")
        #expect(insecure.code == 0 && insecure.out == "deployment.apps/a\ndeployment.apps/b\n", "\(insecure.err)")
        let refused = try await cluster.singleton(
            "list", "-n", "shop", "--kubeconfig", empty.path, "--server", server,
            "--certificate-authority", caFile.path, "--token", "wrong")
        #expect(refused.code == 1 && refused.err.contains("Unauthorized"), "\(refused.err)")

        // -v 6 logs each request on stderr.
        let verbose = try await cluster.singleton("list", "-n", "shop", "-v6")
        #expect(verbose.err.contains("GET /apis/apps/v1/namespaces/shop/deployments OK"), "\(verbose.err)")

        // Output names follow kubectl's, leases included.
        let lease = """
            apiVersion: coordination.k8s.io/v1
            kind: Lease
            metadata: {name: a-leader, namespace: shop}
            spec: {holderIdentity: a-0, leaseDurationSeconds: 15}
            """
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: lease).code == 0)
        let leases = try await cluster.singleton("leases", "-n", "shop", "-o", "name")
        #expect(leases.out == "lease.coordination.k8s.io/a-leader\n", "\(leases.out)\(leases.err)")
    }

    /// --as and --as-group reach the server as Impersonate-User and Impersonate-Group headers
    /// (the sandbox ignores them, so a recording server listens).
    @Test func impersonationHeadersReachTheServer() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let recorder = try await RecordingHTTPServer.start(answer: #"{"apiVersion":"v1","kind":"List","items":[]}"#)
        let empty = cluster.dir.appendingPathComponent("empty-kubeconfig")
        try "apiVersion: v1\nkind: Config\n".write(to: empty, atomically: true, encoding: .utf8)
        let run = try await cluster.singleton(
            "--as", "alice", "list", "-n", "shop", "--kubeconfig", empty.path, "--server", recorder.url,
            "--token", "t0ken", "--as-group", "ops", "--as-group=dev")
        await recorder.stop()
        #expect(run.code == 0, "\(run.err)")
        // list asks for every kind at once: each request carries the headers.
        #expect(recorder.requests.contains { $0.uri.hasPrefix("/apis/apps/v1/namespaces/shop/") })
        #expect(!recorder.requests.isEmpty)
        for request in recorder.requests {
            #expect(request.values("Impersonate-User") == ["alice"])
            #expect(request.values("Impersonate-Group") == ["ops", "dev"])
            #expect(request.values("Authorization") == ["Bearer t0ken"])
        }
    }

    /// Issue #20 item 7: install --dry-run=client says what it would create, as kubectl does.
    @Test func installClientDryRunPrintsWhatItWouldCreate() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let dry = try await cluster.singleton("install", "--dry-run=client")
        #expect(dry.code == 0, "\(dry.err)")
        #expect(dry.out.contains("namespace/singleton-system created (dry run)\n"), "\(dry.out)")
        #expect(dry.out.contains("deployment.apps/singleton-webhook created (dry run)\n"))
        #expect(dry.out.contains("poddisruptionbudget.policy/singleton-webhook created (dry run)\n"))
        #expect(
            dry.out.contains(
                "validatingwebhookconfiguration.admissionregistration.k8s.io/kube-singleton created (dry run)\n"))
        #expect(
            try await cluster.kubectl(["get", "namespace", "singleton-system"]).code != 0,
            "a client dry run creates nothing")
        let yaml = try await cluster.singleton("install", "--dry-run=client", "-o", "yaml")
        #expect(yaml.code == 0 && !yaml.out.contains("created"))
        #expect(try YAMLBridge.documents(yaml.out).contains { $0["kind"] == "ValidatingWebhookConfiguration" })
        // A real install names its objects the same way.
        let install = try await cluster.singleton("install")
        #expect(install.out.contains("deployment.apps/singleton-webhook created\n"), "\(install.out)\(install.err)")
    }

    /// Issue #20 item 8: completion of flag values, with and without `=`, through kubectl.
    @Test func completionOfFlagValuesThroughKubectl() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        #expect(try await cluster.kubectl(["create", "namespace", "shop"]).code == 0)
        #expect(try await cluster.kubectl(["apply", "-f", "-"], stdin: PluginE2E.deployment("api")).code == 0)
        func complete(_ words: String...) async throws -> String {
            let run = try await cluster.kubectl(["__complete", "singleton"] + words)
            return run.out
        }
        let afterDryRun = try await complete("enable", "--dry-run", "")
        #expect(
            afterDryRun.hasPrefix("deployment/\nstatefulset/\n"),
            "a bare --dry-run is client; a workload comes next: \(afterDryRun)")
        #expect(!afterDryRun.contains("client"))
        #expect(try await complete("enable", "--mode=") == "at-most-one\nat-least-one\n:4\n")
        #expect(try await complete("enable", "--mode", "at-l") == "at-least-one\n:4\n")
        #expect(try await complete("install", "--dry-run=") == "none\nclient\nserver\n:4\n")
        #expect(try await complete("list", "-o", "") == "wide\njson\nyaml\nname\njsonpath=\n:4\n")
        #expect(try await complete("enable", "-o=") == "json\nyaml\n:4\n")
        #expect(try await complete("lint", "--output=") == "text\njson\n:4\n")
        #expect(try await complete("list", "-n", "sh") == "shop\n:4\n")
        #expect(try await complete("list", "--namespace=sh") == "shop\n:4\n")
        #expect(try await complete("-n", "shop", "enable", "deploy/") == "deploy/api\n:4\n")
        #expect(try await complete("status", "deploy", "-n", "shop", "") == "api\n:4\n")
        let config = try YAMLBridge.documents(
            try String(contentsOf: cluster.dir.appendingPathComponent("kubeconfig"), encoding: .utf8))[0]
        let context = try #require(config["contexts"]?.arrayValue?.first?["name"]?.stringValue)
        #expect(try await complete("list", "--context", "") == "\(context)\n:4\n")
        #expect(try await complete("list", "--context=") == "\(context)\n:4\n")
        #expect(try await complete("lint", "-f", "") == ":0\n", "files come from the shell")
    }

    /// Issue #20 item 12: lint -k renders a kustomization; -f on one says to use -k; a Helm
    /// template is refused with the command that renders it; stdin, Lists, -f a,b and -R.
    @Test func lintKustomizeHelmAndKubectlFileFlags() async throws {
        try #require(Paths.hasShared, "needs ../shared/fixtures")
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let base = cluster.dir.appendingPathComponent("gitops/base"),
            overlay = cluster.dir.appendingPathComponent("gitops/overlays/prod")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: overlay, withIntermediateDirectories: true)
        let fixture = Paths.publicFixtures.appendingPathComponent("manifests/k8s-website.php-apache.yaml")
        try FileManager.default.copyItem(at: fixture, to: base.appendingPathComponent("php-apache.yaml"))
        try "resources: [php-apache.yaml]\n".write(
            to: base.appendingPathComponent("kustomization.yaml"), atomically: true, encoding: .utf8)
        try """
        resources: [../../base]
        patches:
        - target: {kind: Deployment, name: php-apache}
          patch: |-
            - op: add
              path: /spec/replicas
              value: 3
            - op: add
              path: /metadata/annotations
              value: {kube-singleton.dev/mode: at-least-one}
        """.write(to: overlay.appendingPathComponent("kustomization.yaml"), atomically: true, encoding: .utf8)

        let plain = try await cluster.singleton("lint", "-f", overlay.path)
        #expect(plain.code == 0)
        #expect(
            plain.err.contains("note: \(overlay.path) holds a kustomization")
                && plain.err.contains("kubectl singleton lint -k \(overlay.path)"), "\(plain.err)")
        let file = try await cluster.singleton("lint", "-f", overlay.appendingPathComponent("kustomization.yaml").path)
        #expect(file.err.contains("kubectl singleton lint -k \(overlay.path)"), "\(file.err)")
        let rendered = try await cluster.singleton("lint", "-k", overlay.path)
        #expect(rendered.code == 1, "\(rendered.out)\(rendered.err)")
        #expect(
            rendered.out.contains("\(overlay.path) document 2: error [replicas]")
                && rendered.out.contains("php-apache"), "\(rendered.out)")
        let broken = try await cluster.singleton("lint", "-k", base.appendingPathComponent("php-apache.yaml").path)
        #expect(broken.code == 2)

        let chart = cluster.dir.appendingPathComponent("deployment.yaml")
        try """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: {{ include "web.fullname" . }}
        spec:
          replicas: {{ .Values.replicaCount }}
        """.write(to: chart, atomically: true, encoding: .utf8)
        let helm = try await cluster.singleton("lint", "-f", chart.path)
        #expect(helm.code == 2)
        #expect(
            helm.err.contains("Helm template")
                && helm.err.contains("helm template RELEASE CHART | kubectl singleton lint -f -"), "\(helm.err)")

        let list = """
            apiVersion: v1
            kind: List
            items:
            - {apiVersion: apps/v1, kind: Deployment, metadata: {name: ok, annotations: {kube-singleton.dev/mode: at-least-one}}, spec: {replicas: 1}}
            - {apiVersion: apps/v1, kind: Deployment, metadata: {name: big, annotations: {kube-singleton.dev/mode: at-least-one}}, spec: {replicas: 2}}
            """
        let stdin = try await cluster.kubectl(["singleton", "lint", "-f", "-"], stdin: list)
        #expect(stdin.code == 1)
        #expect(stdin.out.contains("stdin document 1 item 2: error [replicas]"), "\(stdin.out)")

        let violating = Paths.examples.appendingPathComponent("violating.yaml").path
        let two = try await cluster.singleton("lint", "-R", "-f", "\(fixture.path),\(violating)")
        #expect(two.code == 1)
        #expect(two.out.hasSuffix("in 2 files (7 documents)\n"), "\(two.out)")
    }

    /// Issue #20 item 14 (plugin part): version like kubectl version, and usage errors as
    /// kubectl 1.32 reports them (error: ..., exit 1).
    @Test func versionAndUsageErrorsLikeKubectl() async throws {
        let cluster = try await PluginE2E.Cluster.start()
        defer { cluster.stop() }
        let current = "v\(KubeSingletonVersion.current)"
        let offline = try await cluster.singleton("version", "--client", "--kubeconfig", "/nonexistent")
        #expect(offline.code == 0 && offline.out == "Client Version: \(current)\n", "\(offline.err)")
        let json = try JSONValue.parse(Data(try await cluster.singleton("version", "--client", "-o", "json").out.utf8))
        #expect(json[path: "clientVersion", "gitVersion"] == .string(current))
        for field in ["gitCommit", "buildDate", "platform"] {
            #expect(json[path: "clientVersion", field] != nil, "\(field)")
        }
        #expect(json[path: "clientVersion", "platform"]?.stringValue?.contains("/") == true)
        #expect(json["webhookVersion"] == nil)

        let before = try await cluster.singleton("version")
        #expect(before.code == 0, "\(before.err)")
        #expect(before.out.contains("Webhook Version: not installed"), "\(before.out)")
        #expect(try await cluster.singleton("install").code == 0)
        let after = try await cluster.singleton("version")
        #expect(
            after.out
                == "Client Version: \(current)\nWebhook Version: \(current) (image tag of deployment.apps/singleton-webhook in singleton-system)\n",
            "\(after.out)\(after.err)")
        let yaml = try YAMLBridge.documents(try await cluster.singleton("version", "-o", "yaml").out)[0]
        #expect(yaml[path: "webhookVersion", "gitVersion"] == .string(current))
        let empty = cluster.dir.appendingPathComponent("empty-kubeconfig")
        try "apiVersion: v1\nkind: Config\n".write(to: empty, atomically: true, encoding: .utf8)
        let unreachable = try await cluster.singleton(
            "version", "--kubeconfig", empty.path, "--server", "https://127.0.0.1:1")
        #expect(unreachable.code == 1 && unreachable.out == "Client Version: \(current)\n")
        #expect(unreachable.err.hasPrefix("error: cannot read the webhook version"), "\(unreachable.err)")

        let missing = try await cluster.singleton("enable", "deploy/x", "--mode")
        #expect(missing.code == 1 && missing.out.isEmpty)
        #expect(
            missing.err.hasPrefix("error: ")
                && missing.err.hasSuffix("See 'kubectl singleton enable --help' for usage.\n"), "\(missing.err)")
        let unknown = try await cluster.singleton("bogus")
        #expect(
            unknown.code == 1 && unknown.err.hasPrefix("error: unknown command \"bogus\" for \"kubectl singleton\""),
            "\(unknown.err)")
        let format = try await cluster.singleton("list", "-o", "foo")
        #expect(
            format.code == 1
                && format.err.hasPrefix("error: list prints -o wide, json, yaml, name or jsonpath=TEMPLATE, not foo"),
            "\(format.err)")
    }
}
