import Foundation
import KubeAPIMachinery
import Testing
@testable import KubeSandbox

@Suite("CEL subset for matchConditions")
struct CELSubsetTests {
    let vars: [String: JSONValue] = [
        "object": [
            "metadata": ["name": "web", "annotations": ["kube-singleton.dev/mode": "at-most-one"]],
            "spec": ["replicas": 3, "maxReplicas": 1],
        ],
        "oldObject": .null,
        "request": ["operation": "CREATE", "subResource": "scale"],
    ]

    func eval(_ s: String) throws -> Bool { try CELExpression(s).evaluate(vars) }

    @Test func theFormsOurManifestsUse() throws {
        #expect(
            try eval("has(object.metadata.annotations) && 'kube-singleton.dev/mode' in object.metadata.annotations"))
        #expect(try eval("object.spec.replicas > 1"))
        #expect(try !eval("object.spec.maxReplicas > 1"))
        #expect(try eval("request.operation == 'CREATE' || request.operation == \"UPDATE\""))
        #expect(try eval("!(oldObject != null)"))
        #expect(try eval("oldObject == null || oldObject.spec.replicas > 1"))
        #expect(try eval("size(object.metadata.annotations) == 1 && object.metadata['name'] == 'web'"))
        #expect(try eval("request.operation in ['CREATE', 'UPDATE']"))
    }

    @Test func errorsAreErrorsUnlessAbsorbed() throws {
        #expect(throws: CELError.self) { try eval("object.spec.missing > 1") }
        #expect(throws: CELError.self) { try eval("oldObject.spec.replicas > 1") }
        #expect(try !eval("false && object.spec.missing > 1"))
        #expect(try eval("object.spec.missing > 1 || true"))
        #expect(throws: CELError.self) { try CELExpression("object.spec.replicas + 1 > 2") }
        #expect(throws: CELError.self) { try CELExpression("authorizer.group('apps')") }
        #expect(throws: CELError.self) { try CELExpression("object.metadata.name.matches('x')") }
        #expect(throws: CELError.self) { try eval("object.spec.replicas") }
    }
}

/// A client's webhook configuration carries the expressions; parsing, evaluating and releasing
/// one recursed once per level, and 100,000 levels overflowed the sandbox's stack (found while
/// fuzzing the sandbox's readers, with inputs past the fuzzer's 4 KiB).
@Suite("CEL subset: nesting is bounded, long chains are not")
struct CELNestingTests {
    static func deep(_ shape: String, _ levels: Int) -> String {
        switch shape {
        case "parentheses": String(repeating: "(", count: levels) + "true" + String(repeating: ")", count: levels)
        case "not": String(repeating: "!", count: levels) + "true"
        case "lists": String(repeating: "[", count: levels) + String(repeating: "]", count: levels) + " == []"
        case "has": String(repeating: "has(", count: levels) + "object" + String(repeating: ")", count: levels)
        case "fields": "has(object" + String(repeating: ".a", count: levels) + ")"
        default:
            String(repeating: "object.spec[", count: levels) + "'a'" + String(repeating: "]", count: levels) + " == 1"
        }
    }

    @Test(arguments: ["parentheses", "not", "lists", "has", "fields", "index"])
    func deepNestingIsACompileError(shape: String) {
        #expect(throws: CELError("expression nested deeper than 250 levels")) {
            try CELExpression(Self.deep(shape, 100_000))
        }
        #expect(throws: CELError("expression nested deeper than 250 levels")) {
            try CELExpression(Self.deep(shape, 251))
        }
    }

    @Test func nestingWithinTheBoundEvaluates() throws {
        let vars: [String: JSONValue] = ["object": ["spec": .object([:])], "oldObject": .null, "request": .object([:])]
        #expect(try CELExpression(Self.deep("parentheses", 200)).evaluate(vars))
        #expect(try CELExpression(Self.deep("not", 200)).evaluate(vars))
    }

    /// `&&` and `||` chains are built balanced (as cel-go builds them): a chain of any length
    /// compiles, and CEL's error absorption holds whichever term errs or decides.
    @Test func longChainsEvaluate() throws {
        let vars: [String: JSONValue] = [
            "object": ["spec": ["replicas": 3]], "oldObject": .null, "request": .object([:]),
        ]
        let falses = Array(repeating: "object.spec.replicas > 5", count: 50_000)
        #expect(try CELExpression((falses + ["true"]).joined(separator: " || ")).evaluate(vars))
        #expect(try !CELExpression(falses.joined(separator: " || ")).evaluate(vars))
        #expect(
            try !CELExpression((["object.spec.missing > 1"] + falses + ["false"]).joined(separator: " && ")).evaluate(
                vars))
        #expect(throws: CELError.self) {
            try CELExpression((["object.spec.missing > 1"] + falses).joined(separator: " || ")).evaluate(vars)
        }
        let trues = Array(repeating: "object.spec.replicas == 3", count: 50_000)
        #expect(try CELExpression(trues.joined(separator: " && ")).evaluate(vars))
    }
}

@Suite("CEL subset: precedence and loud refusals")
struct CELPrecedenceTests {
    let vars: [String: JSONValue] = [
        "object": ["metadata": ["annotations": ["a": "1"]]], "oldObject": .null, "request": ["operation": "UPDATE"],
    ]

    @Test func notBindsTighterThanARelationAsInCEL() throws {
        // `!'a' in m` is `(!'a') in m` in CEL: an error, not `!('a' in m)`.
        #expect(throws: CELError.self) { try CELExpression("!'a' in object.metadata.annotations").evaluate(vars) }
        #expect(try !CELExpression("!('a' in object.metadata.annotations)").evaluate(vars))
        #expect(try CELExpression("!false == true").evaluate(vars))
        #expect(
            try CELExpression("('a' in object.metadata.annotations) != ('b' in object.metadata.annotations)").evaluate(
                vars))
    }

    @Test func whatTheSubsetCannotEvaluateIsRefusedAtCompileTime() {
        for source in [
            "1 == 1 == true", "object.metadata.?annotations", "request.operation == 'CREATE' ? true : false",
            "-1 < 0", "object.metadata.annotations.exists(k, k == 'a')", "(1 == 1",
        ] {
            #expect(throws: CELError.self, "\(source)") { try CELExpression(source) }
        }
    }
}

@Suite("matchConditions: evaluation order and write-time validation")
struct MatchConditionSemanticsTests {
    static let hook: JSONValue = [
        "name": "x.example.com", "failurePolicy": "Fail",
        "rules": [
            ["apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments"], "operations": ["UPDATE"]]
        ],
        "matchConditions": [
            ["name": "errors", "expression": "object.spec.missing > 1"], ["name": "false", "expression": "false"],
        ],
    ]

    @Test func aFalseConditionSkipsTheWebhookEvenWhenAnotherErrs() throws {
        let type = try #require(ResourceCatalog.named("deployments", group: "apps"))
        let attrs = AdmissionAttributes(
            operation: "UPDATE", type: type, name: "web", namespace: "default",
            object: deployment("web"), oldObject: deployment("web"), dryRun: false,
            user: UserInfo(username: "u", groups: []))
        #expect(WebhookMatching.match(Self.hook, attrs, namespaceLabels: [:]) == .skip)
        var onlyError = Self.hook
        onlyError["matchConditions"] = [["name": "errors", "expression": "object.spec.missing > 1"]]
        guard case .error(let message) = WebhookMatching.match(onlyError, attrs, namespaceLabels: [:]) else {
            Issue.record("an error with no false condition goes to the failurePolicy")
            return
        }
        #expect(message.contains("\"errors\""))
    }

    @Test func aConfigurationTheSubsetCannotCompileIsRefused() async throws {
        let api = makeAPI()
        var config: JSONValue = [
            "apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
            "metadata": ["name": "x"], "webhooks": [Self.hook],
        ]
        config["webhooks"] = [
            Self.hook.applyingMergePatch([
                "matchConditions": [["name": "ternary", "expression": "true ? true : false"]]
            ])
        ]
        let refused = try await call(
            api, "POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", config)
        #expect(refused.status == 422)
        #expect(refused.message.contains("webhooks[0].matchConditions[0].expression"), "\(refused.message)")
        config["webhooks"] = [Self.hook]
        let accepted = try await call(
            api, "POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", config)
        #expect(accepted.status == 201, "\(accepted.message)")
    }
}
