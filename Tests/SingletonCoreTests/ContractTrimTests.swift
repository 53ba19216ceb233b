import Testing
@testable import SingletonCore

/// Annotation values are trimmed of surrounding whitespace (YAML block scalars add newlines),
/// and only of whitespace: the ASCII fast path must agree with the CharacterSet rule.
@Suite struct ContractTrimTests {
    @Test(arguments: [
        ("at-most-one", SingletonMode.atMostOne),
        (" at-most-one", .atMostOne),
        ("at-least-one\n", .atLeastOne),
        ("\tat-least-one\r\n", .atLeastOne),
        ("\u{00A0}at-most-one", .atMostOne),  // no-break space
        ("at-most-one\u{2028}", .atMostOne),  // line separator
        ("\u{3000}at-least-one\u{0085}", .atLeastOne),
    ])
    func modesAreTrimmed(raw: String, mode: SingletonMode) {
        #expect(
            ContractState(annotations: [SingletonAnnotation.mode: raw]) == .valid(SingletonSpec(mode: mode, lease: nil))
        )
    }

    @Test(arguments: ["AT-MOST-ONE", "at-most-one.", "at\u{00A0}most-one", "at most one", "", "é"])
    func otherValuesAreInvalid(raw: String) {
        guard
            case .invalid(.unknownMode(let reported), let rawMode) = ContractState(annotations: [
                SingletonAnnotation.mode: raw
            ])
        else {
            Issue.record("\(raw.debugDescription) was accepted")
            return
        }
        #expect(reported == raw)
        #expect(rawMode == raw)
    }

    @Test func leaseIsTrimmedAndMustNotBeBlank() {
        #expect(
            ContractState(annotations: [
                SingletonAnnotation.mode: "at-most-one", SingletonAnnotation.lease: " web-leader\n",
            ])
                == .valid(SingletonSpec(mode: .atMostOne, lease: "web-leader")))
        guard
            case .invalid(.emptyLease, _) = ContractState(annotations: [
                SingletonAnnotation.mode: "at-most-one", SingletonAnnotation.lease: " \n",
            ])
        else {
            Issue.record("a blank lease was accepted")
            return
        }
    }
}
