import Foundation
import Testing
@testable import SingletonCore

/// `ResponseWriter`'s word-at-a-time escape check and its key order, against `JSONEncoder`:
/// a byte that needs an escape at every offset of the 8-byte words (the string starts at a
/// different offset of the answer for every uid length), and audit keys whose order
/// depends on `-` sorting before the letters and on prefixes.
struct ResponseWriterAlignmentTests {
    static let specials = ["\"", "\\", "\n", "\u{1}", "\u{1F}", "\u{8}", "é", "\u{7F}", " ", "/", "😀"]

    @Test func escapesAtEveryAlignmentMatchJSONEncoder() throws {
        for special in Self.specials {
            for before in 0..<18 {
                for after in [0, 1, 7, 8, 9] {
                    let s = String(repeating: "a", count: before) + special + String(repeating: "b", count: after)
                    let responses = [
                        AdmissionResponse(uid: s, allowed: true),
                        AdmissionResponse(
                            uid: String(repeating: "u", count: before % 8), allowed: true, warnings: [s, s + s]),
                        AdmissionResponse(
                            uid: "u", allowed: false, status: ResponseStatus(code: 403, reason: "Forbidden", message: s)
                        ),
                    ]
                    for r in responses {
                        let fast = try #require(ResponseWriter.encode(r))
                        #expect(
                            Data(fast) == AdmissionReview.encodeResponseCodable(r),
                            "\(String(decoding: fast, as: UTF8.self))")
                    }
                }
            }
        }
    }

    @Test func auditKeysSortAsJSONEncoderSortsThem() throws {
        let keys = ["b", "a-b", "ab", "a", "a-", "-", "--a", "z", "mode", "rule", "rule-x", "rulex"]
        for n in 1...keys.count {
            let audit = Dictionary(uniqueKeysWithValues: keys.prefix(n).map { ($0, "v-\($0)") })
            let r = AdmissionResponse(uid: "u", allowed: true, auditAnnotations: audit)
            #expect(Data(try #require(ResponseWriter.encode(r))) == AdmissionReview.encodeResponseCodable(r))
        }
    }
}
