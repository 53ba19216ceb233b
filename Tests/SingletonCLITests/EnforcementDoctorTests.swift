import Foundation
import KubeAPIMachinery
@testable import SingletonCLI
import SingletonCore
import Testing

/// doctor's enforcement check over the shipped webhook configuration, and over the same
/// configuration broken the ways a hand edit breaks it.
@Suite struct EnforcementDoctorTests {
    static let hooks: [JSONValue] = {
        let plan = try! InstallPlan.make(InstallOptions(), files: DeployManifests.files)
        let config = plan.objects.first { $0["kind"] == "ValidatingWebhookConfiguration" }!
        return config["webhooks"]?.arrayValue ?? []
    }()

    /// The hook's namespaceSelector without its `kube-singleton.dev/enforcement` expression.
    static func withoutEnforcementSelector(_ hook: JSONValue) -> JSONValue {
        var h = hook
        let kept = (hook[path: "namespaceSelector", "matchExpressions"]?.arrayValue ?? []).filter {
            $0["key"]?.stringValue != SingletonAnnotation.enforcement
        }
        h["namespaceSelector"] = ["matchExpressions": .array(kept)]
        return h
    }

    @Test func theShippedConfigurationJudgesWarnNamespacesOnce() throws {
        let findings = DoctorChecks.enforcementSplit(Self.hooks)
        #expect(findings.map(\.status) == [.ok], "\(findings)")
        #expect(findings.first?.detail.contains("warn.kube-singleton.dev") == true)
        #expect(Self.hooks.filter(InstallPlan.warnOnly).count == 1)
        #expect(!Self.hooks.contains { InstallPlan.warnOnly($0) && InstallPlan.judgesParent($0) })
    }

    @Test func anEntryThatStillJudgesWarnNamespacesFails() throws {
        let broken = Self.hooks.map { hook in
            hook["name"] == "workloads.kube-singleton.dev" ? Self.withoutEnforcementSelector(hook) : hook
        }
        let findings = DoctorChecks.enforcementSplit(broken)
        #expect(findings.map(\.status) == [.failure], "\(findings)")
        #expect(findings.first?.detail.contains("also judged by workloads.kube-singleton.dev, so") == true)
    }

    @Test func aWarnEntryThatSelectsNothingWarns() throws {
        let broken = Self.hooks.map { InstallPlan.warnOnly($0) ? Self.withoutEnforcementSelector($0) : $0 }
        #expect(DoctorChecks.enforcementSplit(broken).map(\.status) == [.warning])
        #expect(DoctorChecks.enforcementSplit(Self.hooks.filter { !InstallPlan.warnOnly($0) }).isEmpty)
    }
}
