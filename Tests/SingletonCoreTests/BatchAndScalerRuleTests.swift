import Foundation
import Testing
@testable import SingletonCore

private func review(
    _ group: String, _ version: String, _ resource: String, _ kind: String, name: String,
    object: [String: Any], old: [String: Any]? = nil, subResource: String? = nil
) -> ReviewBuilder {
    var b = ReviewBuilder()
    b.group = group
    b.version = version
    b.resource = resource
    b.kind = kind
    b.name = name
    b.subResource = subResource
    b.operation = old == nil ? "CREATE" : "UPDATE"
    b.object = object
    b.oldObject = old
    return b
}

private func cronJobReview(_ object: [String: Any], old: [String: Any]? = nil) -> ReviewBuilder {
    review("batch", "v1", "cronjobs", "CronJob", name: "report", object: object, old: old)
}

private func jobReview(_ object: [String: Any], old: [String: Any]? = nil) -> ReviewBuilder {
    review("batch", "v1", "jobs", "Job", name: "migrate", object: object, old: old)
}

private func scaledObjectReview(_ object: [String: Any], old: [String: Any]? = nil) -> ReviewBuilder {
    review("keda.sh", "v1alpha1", "scaledobjects", "ScaledObject", name: "web-scaler", object: object, old: old)
}

private func rolloutReview(_ object: [String: Any], old: [String: Any]? = nil) -> ReviewBuilder {
    review("argoproj.io", "v1alpha1", "rollouts", "Rollout", name: "web", object: object, old: old)
}

/// Decides a review through the whole round trip (byte reader, or the Codable model when
/// it declines) and checks both paths agree on it.
private func decide(_ b: ReviewBuilder, parent: ParentLookup = .notFound) -> AdmissionDecision? {
    let body = b.json()
    for difference in ReviewAgreement.check(body).disagreements { Issue.record("paths disagree: \(difference)") }
    return SingletonPolicy().review(body) { _ in parent }.decision
}

@Suite struct CronJobRuleTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var mode: String
        var policy: String?
        var parallelism: Int?
        var allowed: Bool
        var rule: DecisionRule
        var testDescription: String {
            "\(mode) \(policy ?? "unset") parallelism \(parallelism.map(String.init) ?? "-")"
        }
    }

    @Test(arguments: [
        Row(mode: "at-most-one", policy: "Allow", parallelism: nil, allowed: false, rule: .concurrencyPolicy),
        Row(mode: "at-most-one", policy: nil, parallelism: nil, allowed: false, rule: .concurrencyPolicy),
        Row(mode: "at-most-one", policy: "Replace", parallelism: nil, allowed: false, rule: .concurrencyPolicy),
        Row(mode: "at-most-one", policy: "Forbid", parallelism: nil, allowed: true, rule: .compliant),
        Row(mode: "at-most-one", policy: "Forbid", parallelism: 1, allowed: true, rule: .compliant),
        Row(mode: "at-most-one", policy: "Forbid", parallelism: 2, allowed: false, rule: .parallelism),
        Row(mode: "at-least-one", policy: "Allow", parallelism: nil, allowed: false, rule: .concurrencyPolicy),
        Row(mode: "at-least-one", policy: nil, parallelism: nil, allowed: false, rule: .concurrencyPolicy),
        Row(mode: "at-least-one", policy: "Replace", parallelism: nil, allowed: true, rule: .compliant),
        Row(mode: "at-least-one", policy: "Forbid", parallelism: nil, allowed: true, rule: .compliant),
        Row(mode: "at-least-one", policy: "Replace", parallelism: 3, allowed: false, rule: .parallelism),
    ])
    func table(_ row: Row) throws {
        let object = cronJobObject(mode: row.mode, concurrencyPolicy: row.policy, parallelism: row.parallelism)
        let d = try #require(decide(cronJobReview(object)))
        #expect(d.allowed == row.allowed)
        #expect(d.rule == row.rule)
        #expect(d.mode?.rawValue == row.mode)
        if !row.allowed { #expect(d.code == 403) }
    }

    @Test func theDefaultPolicyIsNamedInTheDenial() throws {
        let d = try #require(decide(cronJobReview(cronJobObject(concurrencyPolicy: "Allow"))))
        #expect(
            d.message
                == "CronJob default/report is a singleton (kube-singleton.dev/mode=at-most-one), but spec.concurrencyPolicy is Allow (the default): a new Job starts while the previous one still runs. Set spec.concurrencyPolicy: Forbid, or use mode at-least-one if a brief overlap is acceptable; at-most-one accepts Forbid."
        )
    }

    @Test func replaceUnderAtMostOneSaysWhy() throws {
        let d = try #require(decide(cronJobReview(cronJobObject(concurrencyPolicy: "Replace"))))
        #expect(
            d.message?.contains(
                "spec.concurrencyPolicy is Replace: the new Job starts while the old one's pods may still be terminating"
            ) == true)
    }

    @Test func bothViolationsAreNamedInOneDenial() throws {
        let d = try #require(decide(cronJobReview(cronJobObject(concurrencyPolicy: "Allow", parallelism: 4))))
        #expect(!d.allowed && d.rule == .concurrencyPolicy)
        #expect(d.message?.contains("spec.concurrencyPolicy is Allow") == true)
        #expect(
            d.message?.contains(
                "spec.jobTemplate.spec.parallelism is 4: its Job runs 4 pods at once. Set spec.jobTemplate.spec.parallelism to 1"
            ) == true)
    }

    @Test func anUnsetStartingDeadlineIsAWarning() throws {
        let without = try #require(decide(cronJobReview(cronJobObject(concurrencyPolicy: "Forbid"))))
        #expect(without.allowed)
        #expect(
            without.warnings == [
                "CronJob default/report sets no spec.startingDeadlineSeconds, so missed runs count without bound: after an outage it may start a run long after its schedule. Set spec.startingDeadlineSeconds (for example 300)."
            ])
        let with = try #require(
            decide(cronJobReview(cronJobObject(concurrencyPolicy: "Forbid", startingDeadlineSeconds: 300))))
        #expect(with == .allow(.compliant, mode: .atMostOne))
        // A denial carries the warning too: one round of fixes.
        let denied = try #require(decide(cronJobReview(cronJobObject(concurrencyPolicy: "Allow"))))
        #expect(denied.warnings.count == 1)
    }

    @Test func withoutTheAnnotationACronJobIsNotOurs() throws {
        let d = try #require(
            decide(cronJobReview(cronJobObject(mode: nil, concurrencyPolicy: "Allow", parallelism: 5))))
        #expect(d == .allow(.notOurs))
    }

    @Test func removingTheAnnotationIsTheOptOut() throws {
        let d = try #require(
            decide(cronJobReview(cronJobObject(mode: nil), old: cronJobObject(concurrencyPolicy: "Forbid"))))
        #expect(d.allowed && d.rule == .optOut)
    }

    @Test func anUnknownModeIsDeniedWithTheAcceptedValues() throws {
        let d = try #require(decide(cronJobReview(cronJobObject(mode: "one", concurrencyPolicy: "Forbid"))))
        #expect(!d.allowed && d.rule == .unknownMode)
        #expect(d.message?.contains("CronJob default/report") == true)
        #expect(d.message?.contains("accepted values: at-most-one, at-least-one") == true)
    }

    @Test func loweringParallelismIsAllowedWithAWarning() throws {
        let d = try #require(
            decide(
                cronJobReview(
                    cronJobObject(concurrencyPolicy: "Forbid", parallelism: 2, startingDeadlineSeconds: 60),
                    old: cronJobObject(concurrencyPolicy: "Forbid", parallelism: 3, startingDeadlineSeconds: 60))))
        #expect(d.allowed && d.rule == .compliant)
        #expect(d.warnings.first?.contains("still runs 2 pods at once") == true)
    }

    @Test func deleteIsNotJudged() throws {
        var b = cronJobReview(cronJobObject())
        b.operation = "DELETE"
        #expect(try #require(decide(b)) == .allow(.notOurs))
    }

    @Test func theByteReaderReadsACronJobAsTheModelDoes() throws {
        let body = cronJobReview(
            cronJobObject(concurrencyPolicy: "Replace", parallelism: 2, startingDeadlineSeconds: 9)
        ).json()
        let read = try #require(ReviewReader.read([UInt8](body)), "the byte reader should take a CronJob")
        guard case .cronJob(let cron)? = read.request.object else { Issue.record("not read as a CronJob"); return }
        #expect(cron.spec.concurrencyPolicy == "Replace")
        #expect(cron.effectiveParallelism == 2)
        #expect(cron.spec.startingDeadlineSeconds == 9)
        #expect(cron.metadata.contract.spec?.mode == .atMostOne)
    }
}

@Suite struct JobRuleTests {
    @Test(arguments: [
        (nil as Int?, true, DecisionRule.compliant), (0, true, .compliant), (1, true, .compliant),
        (2, false, .parallelism), (10, false, .parallelism),
    ])
    func table(parallelism: Int?, allowed: Bool, rule: DecisionRule) throws {
        for mode in SingletonMode.allCases {
            let d = try #require(decide(jobReview(jobObject(mode: mode.rawValue, parallelism: parallelism))))
            #expect(d.allowed == allowed)
            #expect(d.rule == rule)
        }
    }

    @Test func theDenialNamesTheJobAndTheFix() throws {
        let d = try #require(decide(jobReview(jobObject(mode: "at-least-one", parallelism: 3))))
        #expect(
            d.message
                == "Job default/migrate is a singleton (kube-singleton.dev/mode=at-least-one), but spec.parallelism is 3: its Job runs 3 pods at once. Set spec.parallelism to 1, or remove the annotation kube-singleton.dev/mode to run them in parallel."
        )
        #expect(d.warnings.isEmpty)
    }

    @Test func aJobWithoutTheAnnotationIsNotOurs() throws {
        #expect(try #require(decide(jobReview(jobObject(mode: nil, parallelism: 8)))) == .allow(.notOurs))
    }

    @Test func loweringParallelismIsAllowed() throws {
        let d = try #require(decide(jobReview(jobObject(parallelism: 2), old: jobObject(parallelism: 4))))
        #expect(d.allowed)
        #expect(d.warnings.count == 1)
        let unchanged = try #require(decide(jobReview(jobObject(parallelism: 2), old: jobObject(parallelism: 2))))
        #expect(!unchanged.allowed)
    }
}

@Suite struct RolloutRuleTests {
    static var canaryDefault: [String: Any] { ["canary": ["steps": [["setWeight": 20], ["pause": [:]]]]] }
    static var canaryNoSurge: [String: Any] { ["canary": ["maxSurge": 0, "maxUnavailable": 1]] }
    static var canaryNoSurgePercent: [String: Any] { ["canary": ["maxSurge": "0%", "maxUnavailable": "100%"]] }
    static var canaryOne: [String: Any] { ["canary": ["maxSurge": 1, "maxUnavailable": 0]] }
    static var blueGreen: [String: Any] {
        [
            "blueGreen": [
                "activeService": "web-active", "previewService": "web-preview", "autoPromotionEnabled": false,
            ]
        ]
    }

    struct Row: @unchecked Sendable, CustomTestStringConvertible {
        var name: String
        var mode: String
        var strategy: [String: Any]
        var replicas: Int?
        var allowed: Bool
        var rule: DecisionRule
        var testDescription: String { "\(mode) \(name) replicas \(replicas.map(String.init) ?? "-")" }
    }

    @Test(arguments: [
        Row(
            name: "canary default", mode: "at-most-one", strategy: canaryDefault, replicas: 1, allowed: false,
            rule: .surge),
        Row(
            name: "canary 0", mode: "at-most-one", strategy: canaryNoSurge, replicas: 1, allowed: true, rule: .compliant
        ),
        Row(
            name: "canary 0%", mode: "at-most-one", strategy: canaryNoSurgePercent, replicas: nil, allowed: true,
            rule: .compliant),
        Row(name: "canary 1", mode: "at-most-one", strategy: canaryOne, replicas: 1, allowed: false, rule: .surge),
        Row(name: "blueGreen", mode: "at-most-one", strategy: blueGreen, replicas: 1, allowed: false, rule: .surge),
        Row(name: "blueGreen", mode: "at-least-one", strategy: blueGreen, replicas: 1, allowed: true, rule: .compliant),
        Row(
            name: "canary default", mode: "at-least-one", strategy: canaryDefault, replicas: 1, allowed: true,
            rule: .compliant),
        Row(
            name: "canary 0", mode: "at-most-one", strategy: canaryNoSurge, replicas: 3, allowed: false, rule: .replicas
        ),
        Row(
            name: "canary default", mode: "at-least-one", strategy: canaryDefault, replicas: 2, allowed: false,
            rule: .replicas),
    ])
    func table(_ row: Row) throws {
        let d = try #require(
            decide(rolloutReview(rolloutObject(replicas: row.replicas, mode: row.mode, strategy: row.strategy))))
        #expect(d.allowed == row.allowed)
        #expect(d.rule == row.rule)
    }

    @Test func blueGreenDenialSaysWhy() throws {
        let d = try #require(decide(rolloutReview(rolloutObject(strategy: Self.blueGreen))))
        #expect(
            d.message
                == "Rollout default/web is an at-most-one singleton (kube-singleton.dev/mode=at-most-one), but its blueGreen strategy runs the preview and the active ReplicaSet side by side. Use spec.strategy.canary with maxSurge: 0 and maxUnavailable: 1 (and no trafficRouting), or use mode at-least-one if a brief overlap is acceptable."
        )
    }

    @Test func aCanaryWithTrafficRoutingRunsTwoPodsWhateverMaxSurgeSays() throws {
        let strategy: [String: Any] = [
            "canary": [
                "maxSurge": 0, "maxUnavailable": 1, "canaryService": "web-canary", "stableService": "web-stable",
                "trafficRouting": ["nginx": ["stableIngress": "web"]], "steps": [["setWeight": 10]],
            ]
        ]
        let d = try #require(decide(rolloutReview(rolloutObject(strategy: strategy))))
        #expect(!d.allowed && d.rule == .surge)
        #expect(
            d.message?.contains("its canary strategy with trafficRouting keeps the stable ReplicaSet at full scale")
                == true)
        let atLeastOne = try #require(decide(rolloutReview(rolloutObject(mode: "at-least-one", strategy: strategy))))
        #expect(atLeastOne.allowed)
    }

    @Test func canaryDenialNamesTheDefaultSurge() throws {
        let d = try #require(decide(rolloutReview(rolloutObject(strategy: Self.canaryDefault))))
        #expect(
            d.message?.contains(
                "its canary strategy starts a second pod before stopping the first (maxSurge 25%, the default)") == true
        )
    }

    @Test func aRolloutIsAWorkloadOfTheByteReadersLane() throws {
        let body = rolloutReview(rolloutObject(strategy: Self.canaryOne)).json()
        let read = try #require(ReviewReader.read([UInt8](body)))
        #expect(read.object?.kind == .rollout)
        #expect(read.object?.rolloutStrategy?.canary?.maxSurge == .int(1))
        #expect(read.object?.strategy == nil)
    }

    @Test func scaleOfARolloutIsJudgedAgainstTheRollout() throws {
        var b = review(
            "argoproj.io", "v1alpha1", "rollouts", "Scale", name: "web", object: scaleObject(replicas: 3),
            old: scaleObject(replicas: 1), subResource: "scale")
        b.operation = "UPDATE"
        let r = try b.request()
        #expect(
            SingletonPolicy().parentReference(for: r)
                == ParentReference(kind: .rollout, namespace: "default", name: "web", expectedUID: "uid-web"))
        let d = try #require(decide(b, parent: .found(parentMeta(mode: "at-most-one"))))
        #expect(!d.allowed && d.rule == .replicas)
        #expect(
            d.message?.hasPrefix(
                "Rollout default/web is a singleton (kube-singleton.dev/mode=at-most-one): scaling to 3 replicas is denied."
            ) == true)
    }

    @Test func kubectlSpellingsOfRollout() {
        for spelling in [
            "ro", "rollout", "rollouts", "rollouts.argoproj.io", "rollout.v1alpha1.argoproj.io", "Rollout",
        ] {
            #expect(WorkloadKind(spelling: spelling) == .rollout, "\(spelling)")
        }
        #expect(
            WorkloadKind.rollout.collectionPath(namespace: "shop")
                == "/apis/argoproj.io/v1alpha1/namespaces/shop/rollouts")
        #expect(WorkloadKind(apiVersion: "argoproj.io/v1alpha1", kind: "Rollout") == .rollout)
        #expect(WorkloadKind(apiVersion: "apps/v1", kind: "Rollout") == nil)
    }
}

@Suite struct ScaledObjectRuleTests {
    struct Row: Sendable, CustomTestStringConvertible {
        var kind: String?
        var apiVersion: String?
        var max: Int?
        /// The parent the rule asks for, if any.
        var parent: WorkloadKind?
        var testDescription: String { "\(kind ?? "-") \(apiVersion ?? "-") max \(max.map(String.init) ?? "-")" }
    }

    @Test(arguments: [
        Row(kind: nil, apiVersion: nil, max: nil, parent: .deployment),
        Row(kind: nil, apiVersion: nil, max: 1, parent: nil),
        Row(kind: nil, apiVersion: nil, max: 0, parent: nil),
        Row(kind: "StatefulSet", apiVersion: nil, max: 5, parent: .statefulSet),
        Row(kind: "Deployment", apiVersion: "apps/v1", max: 2, parent: .deployment),
        Row(kind: "Rollout", apiVersion: "argoproj.io/v1alpha1", max: nil, parent: .rollout),
        Row(kind: "Rollout", apiVersion: nil, max: nil, parent: nil),  // KEDA reads that as apps/v1 Rollout
        Row(kind: "MyCustom", apiVersion: "example.com/v1", max: 5, parent: nil),
    ])
    func theTargetIsLookedUpWithKEDAsDefaults(_ row: Row) throws {
        let b = scaledObjectReview(
            scaledObjectObject(targetKind: row.kind, targetAPIVersion: row.apiVersion, maxReplicaCount: row.max))
        let ref = SingletonPolicy().parentReference(for: try b.request())
        #expect(ref?.kind == row.parent)
        if row.parent != nil { #expect(ref?.name == "web" && ref?.namespace == "default") }
        let d = try #require(decide(b, parent: .found(parentMeta(mode: "at-most-one"))))
        #expect(d.allowed == (row.parent == nil))
        if row.parent != nil { #expect(d.rule == .scaledObject) }
    }

    @Test func anUnsetMaximumIsKEDAsDefaultAndSaidSo() throws {
        let d = try #require(
            decide(scaledObjectReview(scaledObjectObject()), parent: .found(parentMeta(mode: "at-least-one"))))
        #expect(
            d.message
                == "ScaledObject default/web-scaler targets Deployment default/web, a singleton (kube-singleton.dev/mode=at-least-one), with maxReplicaCount 100 (KEDA's default when unset). Set spec.maxReplicaCount to 1, or remove the annotation kube-singleton.dev/mode from Deployment default/web to let it scale."
        )
    }

    @Test func aTargetThatIsNoSingletonOrNotThereIsAllowed() throws {
        let b = scaledObjectReview(scaledObjectObject(maxReplicaCount: 10))
        #expect(try #require(decide(b, parent: .found(parentMeta(mode: nil)))) == .allow(.notOurs))
        #expect(try #require(decide(b, parent: .notFound)) == .allow(.notOurs))
    }

    @Test func anUnverifiableTargetFollowsTheLookupFailurePolicy() throws {
        let body = scaledObjectReview(scaledObjectObject(maxReplicaCount: 10)).json()
        let allowed = SingletonPolicy(unverifiedParent: .allow).review(body) { _ in .unavailable("api down") }
        #expect(allowed.decision?.allowed == true && allowed.decision?.rule == .unverifiedParent)
        let denied = SingletonPolicy(unverifiedParent: .deny).review(body) { _ in .unavailable("api down") }
        #expect(denied.decision?.allowed == false && denied.decision?.rule == .unverifiedParent)
    }

    @Test func loweringTheMaximumIsAllowedWithAWarning() throws {
        let b = scaledObjectReview(scaledObjectObject(maxReplicaCount: 3), old: scaledObjectObject())
        let d = try #require(decide(b, parent: .found(parentMeta(mode: "at-most-one"))))
        #expect(d.allowed && d.rule == .decrease)
        #expect(
            d.warnings == [
                "ScaledObject default/web-scaler still lets singleton Deployment default/web scale to 3; set maxReplicaCount to 1."
            ])
    }

    @Test func aScaledObjectWithoutATargetNameIsLeftToTheModel() throws {
        var object = scaledObjectObject()
        object["spec"] = ["scaleTargetRef": ["kind": "Deployment"]]
        let body = scaledObjectReview(object).json()
        #expect(ReviewReader.read([UInt8](body)) == nil)
        let outcome = SingletonPolicy().review(body) { _ in .notFound }
        #expect(outcome.decision == nil, "an unreadable ScaledObject is a malformed review")
        #expect(ReviewAgreement.check(body).disagreements.isEmpty)
    }
}
