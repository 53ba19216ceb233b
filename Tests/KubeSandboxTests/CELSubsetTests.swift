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

@Suite("CEL subset covers deploy/base/webhook.yaml")
struct ManifestConditionTests {
    // The matchConditions of deploy/base/webhook.yaml, verbatim.
    let hpaCanScaleOut = "!has(object.spec.maxReplicas) || object.spec.maxReplicas > 1"
    let singletonOrHPA = """
        has(object.spec.maxReplicas) || (has(object.metadata.annotations) && 'kube-singleton.dev/mode' in object.metadata.annotations) || (oldObject != null && has(oldObject.metadata.annotations) && 'kube-singleton.dev/mode' in oldObject.metadata.annotations)
        """
    let scaleOut = "has(object.spec.replicas) && object.spec.replicas > 1"

    func both(_ object: JSONValue, old: JSONValue = .null) throws -> Bool {
        let vars = ["object": object, "oldObject": old, "request": ["operation": "UPDATE"] as JSONValue]
        return try CELExpression(hpaCanScaleOut).evaluate(vars) && CELExpression(singletonOrHPA).evaluate(vars)
    }

    @Test func workloadsPassOnlyWithTheAnnotationNowOrBefore() throws {
        let marked: JSONValue = ["metadata": ["annotations": ["kube-singleton.dev/mode": "at-most-one"]], "spec": ["replicas": 1]]
        let plain: JSONValue = ["metadata": ["name": "x"], "spec": ["replicas": 3]]
        #expect(try both(marked))
        #expect(try !both(plain))
        #expect(try both(plain, old: marked))
        #expect(try both(["metadata": .object([:]), "spec": ["maxReplicas": 3]]))
        #expect(try !both(["metadata": .object([:]), "spec": ["maxReplicas": 1]]))
    }

    @Test func scaleConditionTreatsMissingReplicasAsNoScaleOut() throws {
        let e = try CELExpression(scaleOut)
        #expect(try e.evaluate(["object": ["spec": ["replicas": 3]], "oldObject": .null, "request": .object([:])]))
        #expect(try !e.evaluate(["object": ["spec": .object([:])], "oldObject": .null, "request": .object([:])]))
    }
}
