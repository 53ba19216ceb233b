import Foundation
import KubeAPIMachinery
@testable import SingletonCLI
import SingletonCore
import Testing

/// `enable`'s patch for CronJobs, Jobs and Argo Rollouts, and how `list`/`status` read a
/// CronJob's status: pure, on objects shaped as the API returns them.
@Suite struct NewKindsPlanTests {
    static func cronJob(policy: String?, parallelism: Int? = nil, annotations: [String: String] = [:]) -> JSONValue {
        var spec: [String: JSONValue] = [
            "schedule": "*/5 * * * *", "suspend": false, "successfulJobsHistoryLimit": 3,
            "jobTemplate": [
                "metadata": ["creationTimestamp": nil],
                "spec": .object(
                    [
                        "template": [
                            "spec": ["restartPolicy": "OnFailure", "containers": [["name": "r", "image": "busybox"]]]
                        ]
                    ]
                    .merging(parallelism.map { ["parallelism": .int(Int64($0))] } ?? [:]) { a, _ in a }),
            ],
        ]
        if let policy { spec["concurrencyPolicy"] = .string(policy) }
        return [
            "apiVersion": "batch/v1", "kind": "CronJob",
            "metadata": [
                "name": "report", "namespace": "batch",
                "annotations": .object(annotations.mapValues(JSONValue.string)),
            ],
            "spec": .object(spec),
        ]
    }

    /// Each mode's accepted policies: a patch only when the current one does not fit.
    static let policies: [(String?, SingletonMode, String?)] = [
        (nil, .atMostOne, "Forbid"), ("Allow", .atMostOne, "Forbid"), ("Replace", .atMostOne, "Forbid"),
        ("Forbid", .atMostOne, nil), (nil, .atLeastOne, "Forbid"), ("Allow", .atLeastOne, "Forbid"),
        ("Replace", .atLeastOne, nil), ("Forbid", .atLeastOne, nil),
    ]

    @Test(arguments: policies)
    func cronJobPolicyPerMode(current: String?, mode: SingletonMode, wanted: String?) {
        let plan = EnablePlan.make(batch: Self.cronJob(policy: current), mode: mode, lease: nil)
        var expected: [String: JSONValue] = [
            "metadata": ["annotations": [SingletonAnnotation.mode: .string(mode.rawValue)]]
        ]
        if let wanted { expected["spec"] = ["concurrencyPolicy": .string(wanted)] }
        #expect(plan.patch == .object(expected), "\(current ?? "unset") under \(mode)")
        #expect(plan.refusal == nil)
        if let wanted {
            #expect(plan.changes.contains { $0.hasPrefix("set concurrencyPolicy \(wanted) (\(current ?? "Allow")") })
        }
    }

    @Test func anEnabledCronJobIsLeftAloneAndItsParallelismLowered() {
        let done = Self.cronJob(policy: "Forbid", annotations: [SingletonAnnotation.mode: "at-most-one"])
        #expect(EnablePlan.make(batch: done, mode: .atMostOne, lease: nil).patch == nil)
        #expect(EnablePlan.make(batch: done, mode: .atMostOne, lease: nil).warnings.isEmpty, "no caveat on a rerun")

        let wide = Self.cronJob(
            policy: "Forbid", parallelism: 3, annotations: [SingletonAnnotation.mode: "at-most-one"])
        let plan = EnablePlan.make(batch: wide, mode: .atMostOne, lease: nil)
        #expect(plan.patch == ["spec": ["jobTemplate": ["spec": ["parallelism": 1]]]])
        #expect(plan.changes == ["lowered jobTemplate parallelism from 3 to 1"])
        #expect(plan.warnings.contains { $0.contains("startingDeadlineSeconds is unset") })
        // The patch changes only what it names: every other field of the object survives it.
        let patched = wide.applyingMergePatch(plan.patch ?? nil)
        #expect(
            patched[path: "spec", "jobTemplate", "spec", "template"]
                == wide[path: "spec", "jobTemplate", "spec", "template"])
        #expect(patched[path: "spec", "successfulJobsHistoryLimit"] == 3)
    }

    @Test func aJobGetsParallelismOne() {
        let job: JSONValue = [
            "apiVersion": "batch/v1", "kind": "Job", "metadata": ["name": "migrate"],
            "spec": ["parallelism": 4, "completions": 4, "template": ["spec": ["restartPolicy": "Never"]]],
        ]
        let plan = EnablePlan.make(batch: job, mode: .atLeastOne, lease: "migrate-lock")
        #expect(
            plan.patch == [
                "metadata": [
                    "annotations": [
                        SingletonAnnotation.mode: "at-least-one", SingletonAnnotation.lease: "migrate-lock",
                    ]
                ],
                "spec": ["parallelism": 1],
            ])
    }

    static func rollout(_ strategy: JSONValue) -> (JSONValue, Workload) {
        let object: JSONValue = [
            "apiVersion": "argoproj.io/v1alpha1", "kind": "Rollout", "metadata": ["name": "worker"],
            "spec": ["replicas": 2, "strategy": strategy, "selector": ["matchLabels": ["app": "worker"]]],
        ]
        return (object, try! Workload.decode(object.serialized(), as: .rollout))
    }

    @Test func aSurgingCanaryGetsMaxSurgeZeroAndBlueGreenIsRefused() throws {
        let (canary, w) = Self.rollout(["canary": ["steps": [["setWeight": 50]]]])
        let plan = EnablePlan.make(w, mode: .atMostOne, lease: nil, object: canary)
        #expect(
            plan.patch == [
                "metadata": ["annotations": [SingletonAnnotation.mode: "at-most-one"]],
                "spec": ["replicas": 1, "strategy": ["canary": ["maxSurge": 0]]],
            ])
        let (strict, w2) = Self.rollout(["canary": ["maxSurge": "25%", "maxUnavailable": 0]])
        #expect(
            EnablePlan.make(w2, mode: .atMostOne, lease: nil, object: strict).patch?[path: "spec", "strategy"]
                == ["canary": ["maxSurge": 0, "maxUnavailable": 1]], "Argo refuses both at 0")
        #expect(
            EnablePlan.make(w, mode: .atLeastOne, lease: nil, object: canary).patch?[path: "spec", "strategy"] == nil)

        let (blueGreen, w3) = Self.rollout(["blueGreen": ["activeService": "worker"]])
        let refused = EnablePlan.make(w3, mode: .atMostOne, lease: nil, object: blueGreen)
        #expect(refused.patch == nil)
        #expect(refused.refusal?.contains("blueGreen") == true)
    }

    @Test func aCronJobsStatusGivesItsLastScheduleAndActiveJobs() {
        var object = Self.cronJob(policy: "Forbid")
        object = object.applyingMergePatch([
            "status": [
                "lastScheduleTime": "2026-12-06T21:55:00Z",
                "active": [
                    ["kind": "Job", "namespace": "batch", "name": "report-29420515", "apiVersion": "batch/v1"],
                    ["kind": "Job", "namespace": "batch", "name": "report-29420510", "apiVersion": "batch/v1"],
                ],
            ]
        ])
        let state = CronJobState(object)
        #expect(state.activeJobs == ["report-29420510", "report-29420515"])
        #expect(state.concurrencyPolicy == "Forbid" && state.schedule == "*/5 * * * *" && !state.suspended)
        let now = KubeTime.parse("2026-12-06T22:00:30Z")!
        #expect(state.lastScheduleText(now: now) == "5m30s")
        #expect(CronJobState(Self.cronJob(policy: nil)).concurrencyPolicy == "Allow")
        #expect(CronJobState(Self.cronJob(policy: nil)).lastScheduleText(now: now) == "<none>")

        let report = SingletonAnalyzer.analyze(
            batch: object.applyingMergePatch(["metadata": ["annotations": [SingletonAnnotation.mode: "at-most-one"]]]),
            kind: .cronJob, namespace: "batch",
            snapshot: ClusterSnapshot(
                pods: [
                    PodSummary(
                        name: "report-29420510-abcde", namespace: "batch", ownerKind: "Job",
                        ownerName: "report-29420510"),
                    PodSummary(
                        name: "report-29420515-fghij", namespace: "batch", ownerKind: "Job",
                        ownerName: "report-29420515"),
                    PodSummary(name: "other", namespace: "batch", ownerKind: "Job", ownerName: "other-1"),
                ], webhookInstalled: true), now: now)
        #expect(report.risks.map(\.code) == ["active=2", "pods=2"])
        #expect(ReportRendering.violations(report) == "active=2,pods=2")
        let table = ReportRendering.listTables([report], allNamespaces: false, wide: false, now: now)
        #expect(
            table.map { $0.render() } == [
                """
                NAME                   MODE          ENFORCEMENT   SCHEDULE      SUSPEND   ACTIVE   LAST-SCHEDULE   VIOLATIONS
                cronjob.batch/report   at-most-one   deny          */5 * * * *   False     2        5m30s           active=2,pods=2

                """
            ])
    }
}

/// The enforcement annotation through lint, enable, disable and completion.
@Suite struct EnforcementPluginTests {
    func lint(_ yaml: String) -> LintReport {
        let set = ManifestReader(readStandardInput: { Data(yaml.utf8) }).read(["-"])
        return LintReport(set: set, findings: Linter().lint(set.objects))
    }

    static func deployment(annotations: String) -> String {
        """
        apiVersion: apps/v1
        kind: Deployment
        metadata:
          name: billing
          namespace: shop
          annotations: {\(annotations)}
        spec:
          replicas: 3
          strategy: {type: Recreate}
          selector: {matchLabels: {app: billing}}
          template:
            metadata: {labels: {app: billing}}
            spec: {containers: [{name: b, image: "billing:1"}]}
        """
    }

    @Test func underWarnTheWouldBeDenialIsAWarningUnderTheSameRule() {
        let denied = lint(Self.deployment(annotations: "kube-singleton.dev/mode: at-most-one"))
        #expect(denied.findings.filter { $0.severity == .error }.map(\.rule) == ["replicas"])
        #expect(denied.exitCode == 1)

        let warned = lint(
            Self.deployment(
                annotations: "kube-singleton.dev/mode: at-most-one, kube-singleton.dev/enforcement: warn"))
        #expect(warned.errorCount == 0, "\(warned.findings)")
        let replicas = warned.findings.first { $0.rule == "replicas" }
        #expect(replicas?.severity == .warning)
        #expect(replicas?.message.hasPrefix(denied.findings.first { $0.rule == "replicas" }?.message ?? "?") == true)
        #expect(warned.exitCode == 0)

        let unknown = lint(
            Self.deployment(
                annotations: "kube-singleton.dev/mode: at-most-one, kube-singleton.dev/enforcement: audit"))
        let error = unknown.findings.first { $0.severity == .error }
        #expect(error?.message.contains("kube-singleton.dev/enforcement") == true, "\(unknown.findings)")
        #expect(error?.message.contains("deny, warn") == true)
        #expect(unknown.exitCode == 1)
    }

    @Test func enableSetsAndDisableRemovesTheEnforcementAnnotation() {
        let cronJob = NewKindsPlanTests.cronJob(
            policy: "Forbid", annotations: [SingletonAnnotation.mode: "at-most-one"])
        let plan = EnablePlan.make(batch: cronJob, mode: .atMostOne, lease: nil, enforcement: .warn)
        #expect(plan.patch == ["metadata": ["annotations": [SingletonAnnotation.enforcement: "warn"]]])
        #expect(plan.changes == ["annotated kube-singleton.dev/enforcement=warn"])
        let off = EnablePlan.disable(annotations: [
            SingletonAnnotation.mode: "at-most-one", SingletonAnnotation.enforcement: "warn", "team": "x",
        ])
        #expect(
            off.patch == [
                "metadata": ["annotations": [SingletonAnnotation.mode: nil, SingletonAnnotation.enforcement: nil]]
            ])
    }

    @Test func completionKnowsTheNewKindsAndTheEnforcementValues() {
        #expect(
            Completer.need(["enable", "c"])
                == .fixed(CompletionResult(candidates: ["cronjob/", "cj/"], directive: 6)))
        #expect(Completer.need(["status", "cj/r"]) == .objects(kind: .cronJob, typedKind: "cj", prefix: "r"))
        #expect(Completer.need(["enable", "job", ""]) == .objects(kind: .job, typedKind: nil, prefix: ""))
        #expect(
            Completer.need(["enable", "cj/report", "--enforcement", ""])
                == .fixed(CompletionResult(candidates: ["deny", "warn"], directive: 4)))
    }
}

/// lint judges the new kinds with the core's decisions, as the webhook would at creation.
@Suite struct NewKindsLintTests {
    static let set = """
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: report, namespace: batch, annotations: {kube-singleton.dev/mode: at-most-one}}
        spec:
          schedule: "0 * * * *"
          jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: r, image: busybox}]}}}}
        ---
        apiVersion: batch/v1
        kind: CronJob
        metadata: {name: tidy, namespace: batch, annotations: {kube-singleton.dev/mode: at-least-one}}
        spec:
          schedule: "0 * * * *"
          concurrencyPolicy: Replace
          startingDeadlineSeconds: 300
          jobTemplate: {spec: {template: {spec: {restartPolicy: OnFailure, containers: [{name: t, image: busybox}]}}}}
        ---
        apiVersion: batch/v1
        kind: Job
        metadata: {name: migrate, namespace: batch, annotations: {kube-singleton.dev/mode: at-most-one}}
        spec: {parallelism: 3, template: {spec: {restartPolicy: Never, containers: [{name: m, image: busybox}]}}}
        ---
        apiVersion: argoproj.io/v1alpha1
        kind: Rollout
        metadata: {name: worker, namespace: batch, annotations: {kube-singleton.dev/mode: at-most-one}}
        spec:
          replicas: 1
          selector: {matchLabels: {app: worker}}
          strategy: {blueGreen: {activeService: worker}}
          template: {metadata: {labels: {app: worker}}, spec: {containers: [{name: w, image: worker}]}}
        ---
        apiVersion: keda.sh/v1alpha1
        kind: ScaledObject
        metadata: {name: worker, namespace: batch}
        spec: {scaleTargetRef: {apiVersion: argoproj.io/v1alpha1, kind: Rollout, name: worker}}
        """

    @Test func cronJobsJobsRolloutsAndScaledObjectsAreJudgedByTheWebhooksRules() {
        let set = ManifestReader(readStandardInput: { Data(Self.set.utf8) }).read(["-"])
        let report = LintReport(set: set, findings: Linter().lint(set.objects))
        let errors = report.findings.filter { $0.severity == .error }
        #expect(
            errors.map { "\($0.kind)/\($0.name) \($0.rule)" } == [
                "CronJob/report concurrency-policy", "Job/migrate parallelism", "Rollout/worker surge",
                "ScaledObject/worker scaledobject",
            ], "\(report.findings)")
        #expect(errors[0].message.contains("concurrencyPolicy"))
        #expect(errors[3].message.contains("maxReplicaCount"))
        #expect(
            report.findings.contains { $0.name == "report" && $0.message.contains("startingDeadlineSeconds") },
            "the webhook's caveat")
        #expect(!report.findings.contains { $0.name == "tidy" && $0.severity == .error }, "Replace is at-least-one's")
        #expect(report.exitCode == 1)

        // The same set under warn: each would-be denial is a warning of its rule.
        let warned = Self.set.replacingOccurrences(
            of: "kube-singleton.dev/mode: at-most-one}",
            with: "kube-singleton.dev/mode: at-most-one, kube-singleton.dev/enforcement: warn}")
        let warnSet = ManifestReader(readStandardInput: { Data(warned.utf8) }).read(["-"])
        let warnReport = LintReport(set: warnSet, findings: Linter().lint(warnSet.objects))
        #expect(warnReport.errorCount == 0, "\(warnReport.findings)")
        #expect(
            Set(warnReport.findings.map(\.rule)).isSuperset(of: [
                "concurrency-policy", "parallelism", "surge", "scaledobject",
            ]), "\(warnReport.findings)")
        #expect(warnReport.exitCode == 0)
    }
}
