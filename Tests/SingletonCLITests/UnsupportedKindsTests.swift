import Foundation
import KubeAPIMachinery
@testable import SingletonCLI
import SingletonCore
import Testing

/// The annotation on a DaemonSet has no effect: lint says so (a warning, not an error), and so
/// does the webhook (an admission warning). CronJobs and Jobs are judged (see OutageTests).
@Suite struct UnsupportedKindsTests {
    static let cronJob = """
        apiVersion: batch/v1
        kind: CronJob
        metadata:
          name: report
          namespace: default
          annotations: {kube-singleton.dev/mode: at-most-one}
        spec:
          schedule: "0 * * * *"
          jobTemplate:
            spec:
              template:
                spec: {restartPolicy: Never, containers: [{name: report, image: busybox}]}
        """

    static let daemonSet = """
        apiVersion: apps/v1
        kind: DaemonSet
        metadata:
          name: agent
          namespace: default
          annotations: {kube-singleton.dev/mode: at-most-one}
        spec:
          selector: {matchLabels: {app: agent}}
          template:
            metadata: {labels: {app: agent}}
            spec: {containers: [{name: agent, image: busybox}]}
        """

    @Test func lintWarnsThatTheAnnotationHasNoEffect() async {
        let run = await runPlugin(["lint", "-f", "-", "-o", "json"], stdin: Data(Self.daemonSet.utf8))
        #expect(run.code == 0, "a warning is not a violation: \(run.out)\(run.err)")
        let findings = (try? JSONValue.parse(Data(run.out.utf8)))?["findings"]?.arrayValue ?? []
        #expect(findings.count == 1, "\(run.out)")
        #expect(findings.first?["rule"] == "no-effect" && findings.first?["severity"] == "warning", "\(run.out)")
        #expect(
            findings.first?["message"]?.stringValue?.contains(
                "kube-singleton.dev/mode has no effect on DaemonSet default/agent") == true)
    }
}
