import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

/// An Argo Rollouts CRD as its install manifest writes it (YAML, applied by kubectl).
let rolloutCRDYAML = """
    apiVersion: apiextensions.k8s.io/v1
    kind: CustomResourceDefinition
    metadata:
      name: rollouts.argoproj.io
    spec:
      group: argoproj.io
      names:
        kind: Rollout
        listKind: RolloutList
        plural: rollouts
        shortNames: [ro]
        singular: rollout
      scope: Namespaced
      versions:
      - name: v1alpha1
        served: true
        storage: true
        schema:
          openAPIV3Schema:
            type: object
            x-kubernetes-preserve-unknown-fields: true
        subresources:
          scale:
            labelSelectorPath: .status.selector
            specReplicasPath: .spec.replicas
            statusReplicasPath: .status.HPAReplicas
          status: {}
    """

let rolloutYAML = """
    apiVersion: argoproj.io/v1alpha1
    kind: Rollout
    metadata:
      name: web
      annotations: {kube-singleton.dev/mode: at-most-one}
    spec:
      replicas: 1
      selector: {matchLabels: {app: web}}
      strategy: {canary: {maxSurge: 0}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: app, image: nginx:1.27}]}
    """

@Suite(
    "Real kubectl: CRDs, custom resources and batch kinds", .serialized,
    .enabled(if: kubectlAvailable, "kubectl is not installed at /usr/bin/kubectl"))
struct KubectlCustomResourceTests {
    @Test func appliedCRDServesRolloutsWithShortNamesAndAdmittedScale() async throws {
        let f = try await SandboxFixture.start()
        let hook = try await TestWebhook.start(.deny(code: 403))
        defer {
            Task {
                await hook.stop()
                await f.stop()
            }
        }
        var r = try await f.run("get", "rollouts")
        #expect(r.status != 0)
        #expect(r.stderr.contains("doesn't have a resource type \"rollouts\""), "\(r.stderr)")

        r = try await f.run("apply", "-f", "-", stdin: rolloutCRDYAML)
        #expect(
            r.stdout.contains("customresourcedefinition.apiextensions.k8s.io/rollouts.argoproj.io created"),
            "\(r.stderr)")
        r = try await f.run("wait", "--for", "condition=established", "crd/rollouts.argoproj.io", "--timeout=10s")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await f.run("apply", "-f", "-", stdin: CustomResources.kedaScaledObjects.serializedString)
        #expect(r.stdout.contains("scaledobjects.keda.sh created"), "\(r.stderr)")

        let registration = """
            apiVersion: admissionregistration.k8s.io/v1
            kind: ValidatingWebhookConfiguration
            metadata: {name: crd-hook}
            webhooks:
            - name: crd.example.com
              admissionReviewVersions: ["v1"]
              sideEffects: None
              failurePolicy: Fail
              clientConfig:
                url: \(hook.url)
                caBundle: \(Data(hook.caPEM.utf8).base64EncodedString())
              rules:
              - apiGroups: ["argoproj.io"]
                apiVersions: ["v1alpha1"]
                operations: ["CREATE", "UPDATE"]
                resources: ["rollouts", "rollouts/scale"]
            """
        r = try await f.run("apply", "-f", "-", stdin: registration)
        #expect(r.status == 0, "\(r.stderr)")

        r = try await f.run("apply", "-f", "-", stdin: rolloutYAML)
        #expect(r.stdout.contains("rollout.argoproj.io/web created"), "\(r.stderr)")
        r = try await f.run(
            "apply", "-f", "-", stdin: rolloutYAML.replacingOccurrences(of: "nginx:1.27", with: "nginx:1.28"))
        #expect(r.stdout.contains("rollout.argoproj.io/web configured"), "\(r.stderr)")
        r = try await f.run("get", "ro", "-o", "name")
        #expect(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == "rollout.argoproj.io/web", "\(r.stderr)")
        r = try await f.run("get", "rollout", "web", "-o", "jsonpath={.spec.replicas}")
        #expect(r.stdout == "1", "\(r.stderr)")
        r = try await f.run("get", "rollout", "web", "-o", "jsonpath={.spec.template.spec.containers[0].image}")
        #expect(r.stdout == "nginx:1.28", "\(r.stderr)")

        r = try await f.run("scale", "rollout/web", "--replicas=3")
        #expect(r.status != 0)
        #expect(
            r.stderr.contains(
                "admission webhook \"crd.example.com\" denied the request: test webhook: 3 replicas is too many"),
            "\(r.stderr)")
        r = try await f.run("scale", "ro/web", "--replicas=0")
        #expect(r.stdout.contains("rollout.argoproj.io/web scaled"), "\(r.stderr)")
        #expect(try await f.run("get", "rollout", "web", "-o", "jsonpath={.spec.replicas}").stdout == "0")

        r = try await f.run(
            "create", "-f", "-",
            stdin:
                #"{"apiVersion":"keda.sh/v1alpha1","kind":"ScaledObject","metadata":{"name":"web"},"spec":{"scaleTargetRef":{"name":"web"}}}"#
        )
        #expect(r.stdout.contains("scaledobject.keda.sh/web created"), "\(r.stderr)")
        r = try await f.run("get", "so", "-o", "name")
        #expect(r.stdout.contains("scaledobject.keda.sh/web"), "\(r.stderr)")

        r = try await f.run("delete", "crd", "rollouts.argoproj.io")
        #expect(r.status == 0, "\(r.stderr)")
        r = try await f.run("get", "rollouts")
        #expect(r.status != 0, "rollouts are no longer served: \(r.stdout)")
    }

    @Test func cronJobsAndJobsFromKubectlGeneratorsAreStoredDefaulted() async throws {
        let f = try await SandboxFixture.start()
        defer { Task { await f.stop() } }
        var r = try await f.run("create", "cronjob", "nightly", "--image=busybox:1.36", "--schedule=0 3 * * *")
        #expect(r.stdout.contains("cronjob.batch/nightly created"), "\(r.stderr)")
        let cj = try JSONValue.parse(Data(try await f.run("get", "cj", "nightly", "-o", "json").stdout.utf8))
        #expect(cj[path: "spec", "schedule"] == "0 3 * * *")
        #expect(cj[path: "spec", "concurrencyPolicy"] == "Allow", "the apiserver's default")
        #expect(cj[path: "spec", "jobTemplate", "spec", "parallelism"] == 1)
        let containers = cj[path: "spec", "jobTemplate", "spec", "template", "spec", "containers"]?.arrayValue
        #expect(containers?.first?["image"] == "busybox:1.36")

        r = try await f.run("create", "job", "once", "--image=busybox:1.36")
        #expect(r.stdout.contains("job.batch/once created"), "\(r.stderr)")
        let job = try JSONValue.parse(Data(try await f.run("get", "job", "once", "-o", "json").stdout.utf8))
        #expect(job[path: "spec", "parallelism"] == 1)
        #expect(job[path: "spec", "completions"] == 1)
        #expect(job[path: "spec", "template", "spec", "restartPolicy"] == "Never")
    }
}

extension JSONValue {
    fileprivate var serializedString: String { String(decoding: serialized(), as: UTF8.self) }
}
