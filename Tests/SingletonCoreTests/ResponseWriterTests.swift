import Foundation
import Testing
@testable import SingletonCore

/// `ResponseWriter` must write exactly the bytes of `JSONEncoder` with sorted keys and
/// unescaped slashes, for every string content the messages and uids can hold.
struct ResponseWriterTests {
    static let strings: [String] = [
        "", "plain", "a/b", "quote\"back\\slash", "\u{8}\u{c}\n\r\t", "é ü 日本 😀 \u{2028}\u{2029}",
        String((0..<128).map { Character(Unicode.Scalar(UInt8($0))) }),
    ]

    @Test func writesWhatJSONEncoderWrites() throws {
        var cases: [AdmissionResponse] = []
        for s in Self.strings {
            cases.append(AdmissionResponse(uid: s, allowed: true))
            cases.append(
                AdmissionResponse(
                    uid: "u", allowed: false, status: ResponseStatus(code: 403, reason: "Forbidden", message: s),
                    warnings: [s, "second"], auditAnnotations: ["rule": s, "mode": "at-most-one"]))
            cases.append(AdmissionResponse(uid: s, allowed: true, warnings: [], auditAnnotations: [:]))
        }
        for r in cases {
            let fast = try #require(ResponseWriter.encode(r), "\(r)")
            #expect(Data(fast) == AdmissionReview.encodeResponseCodable(r), "\(String(decoding: fast, as: UTF8.self))")
        }
    }

    @Test func everyDecisionRuleAndModeAnswersLikeJSONEncoder() throws {
        for rule in DecisionRule.allCases {
            for mode in SingletonMode.allCases.map(Optional.some) + [nil] {
                for d in [
                    AdmissionDecision.allow(rule, mode: mode, warnings: ["w/1"]),
                    .deny(rule, mode: mode, message: "no \"more\" than 1"),
                ] {
                    let r = d.response(uid: "uid-1")
                    #expect(Data(try #require(ResponseWriter.encode(r))) == AdmissionReview.encodeResponseCodable(r))
                }
            }
        }
    }

    @Test func unusualShapesDeferToJSONEncoder() {
        var status = ResponseStatus(code: 400, reason: "BadRequest", message: "m")
        status.metadata = ["k": "v"]
        #expect(ResponseWriter.encode(AdmissionResponse(uid: "u", allowed: false, status: status)) == nil)
        #expect(
            ResponseWriter.encode(AdmissionResponse(uid: "u", allowed: true, auditAnnotations: ["Rule2": "x"])) == nil)
        // encodeResponse still answers, through JSONEncoder.
        let r = AdmissionResponse(uid: "u", allowed: false, status: status)
        #expect(AdmissionReview.encodeResponse(r) == AdmissionReview.encodeResponseCodable(r))
    }
}
