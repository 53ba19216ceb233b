import Foundation
import Testing
import SingletonCore
@testable import KubeSandbox

@Suite("CEL subset for matchConditions")
struct CELSubsetTests {
    let vars: [String: JSONValue] = [
        "object": ["metadata": ["name": "web", "annotations": ["kube-singleton.dev/mode": "at-most-one"]], "spec": ["replicas": 3, "maxReplicas": 1]],
        "oldObject": .null,
        "request": ["operation": "CREATE", "subResource": "scale"],
    ]

    func eval(_ s: String) throws -> Bool { try CELExpression(s).evaluate(vars) }

    @Test func theFormsOurManifestsUse() throws {
        #expect(try eval("has(object.metadata.annotations) && 'kube-singleton.dev/mode' in object.metadata.annotations"))
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

@Suite("CEL subset: precedence and loud refusals")
struct CELPrecedenceTests {
    let vars: [String: JSONValue] = ["object": ["metadata": ["annotations": ["a": "1"]]], "oldObject": .null, "request": ["operation": "UPDATE"]]

    @Test func notBindsTighterThanARelationAsInCEL() throws {
        // `!'a' in m` is `(!'a') in m` in CEL: an error, not `!('a' in m)`.
        #expect(throws: CELError.self) { try CELExpression("!'a' in object.metadata.annotations").evaluate(vars) }
        #expect(try !CELExpression("!('a' in object.metadata.annotations)").evaluate(vars))
        #expect(try CELExpression("!false == true").evaluate(vars))
        #expect(try CELExpression("('a' in object.metadata.annotations) != ('b' in object.metadata.annotations)").evaluate(vars))
    }

    @Test func whatTheSubsetCannotEvaluateIsRefusedAtCompileTime() {
        for source in ["1 == 1 == true", "object.metadata.?annotations", "request.operation == 'CREATE' ? true : false",
                       "-1 < 0", "object.metadata.annotations.exists(k, k == 'a')", "(1 == 1"] {
            #expect(throws: CELError.self, "\(source)") { try CELExpression(source) }
        }
    }
}

@Suite("matchConditions: evaluation order and write-time validation")
struct MatchConditionSemanticsTests {
    static let hook: JSONValue = [
        "name": "x.example.com", "failurePolicy": "Fail",
        "rules": [["apiGroups": ["apps"], "apiVersions": ["v1"], "resources": ["deployments"], "operations": ["UPDATE"]]],
        "matchConditions": [["name": "errors", "expression": "object.spec.missing > 1"], ["name": "false", "expression": "false"]],
    ]

    @Test func aFalseConditionSkipsTheWebhookEvenWhenAnotherErrs() throws {
        let type = try #require(ResourceCatalog.named("deployments", group: "apps"))
        let attrs = AdmissionAttributes(operation: "UPDATE", type: type, name: "web", namespace: "default",
                                        object: deployment("web"), oldObject: deployment("web"), dryRun: false, user: UserInfo(username: "u", groups: []))
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
        var config: JSONValue = ["apiVersion": "admissionregistration.k8s.io/v1", "kind": "ValidatingWebhookConfiguration",
                                 "metadata": ["name": "x"], "webhooks": [Self.hook]]
        config["webhooks"] = [Self.hook.applyingMergePatch(["matchConditions": [["name": "ternary", "expression": "true ? true : false"]]])]
        let refused = try await call(api, "POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", config)
        #expect(refused.status == 422)
        #expect(refused.message.contains("webhooks[0].matchConditions[0].expression"), "\(refused.message)")
        config["webhooks"] = [Self.hook]
        let accepted = try await call(api, "POST", "/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations", config)
        #expect(accepted.status == 201, "\(accepted.message)")
    }
}
