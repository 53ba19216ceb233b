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
