import Foundation
import Testing
@testable import SingletonCore

/// `skipValue` (`JSONScanner+Skipping`): the full JSON grammar of a value the decoders do
/// not read is still checked, whitespace is allowed between all tokens, and values nest
/// at most `maxDepth` levels within the skipped value.
struct SkipValueTests {
    /// Whether the scanner skips all of `json` as one value.
    static func skipsWhole(_ json: String) -> Bool {
        skipsWhole(Array(json.utf8))
    }

    /// Whether the scanner skips all of `bytes` as one value (also used at every alignment by
    /// StringScanAlignmentTests).
    static func skipsWhole(_ bytes: [UInt8]) -> Bool {
        guard var s = JSONScanner(bytes) else { return false }
        do {
            try s.skipValue()
            s.skipWhitespace()
            return s.atEnd
        } catch {
            return false
        }
    }

    @Test(arguments: [
        "{}", "[]", " { } ", "[ ]", #""s""#, "0", "-0", "1E5", "-12.5e-3", "true", "false", "null",
        #"{"a":{"b":{}}}"#, "[[],[{}],[[]]]", #"[{"a":[1,{"b":null}]},"x"]"#,
        " { \"a\" : [ 1 , -0.5e+3 , true , false , null , \"x\\u00e9\\n\" ] , \"b\" : { } } ",
        "{\n\t\"k\"\r\n:\n1\n}", #"{"f:metadata":{"f:labels":{".":{},"f:app":{}}},"f:spec":{}}"#,
        #"["\ud83d\ude00","é","\"\\\/"]"#, #"{"":""}"#, #"{"a":1,"a":2}"#,
    ])
    func validValuesAreSkipped(_ json: String) {
        #expect(Self.skipsWhole(json), "\(json)")
        // The same value as JSONDecoder sees it: valid.
        #expect((try? JSONSerialization.jsonObject(with: Data(json.utf8), options: [.fragmentsAllowed])) != nil)
    }

    @Test(arguments: [
        "{,}", #"{"a":1,}"#, "[1,]", "[,1]", #"{"a"}"#, #"{"a":}"#, "{a:1}", "[01]", "[1 2]",
        #"{"a":1 "b":2}"#, "tru", "nul", "[true false]", #""\x""#, "-", "1.", ".5", "1e", "+1",
        "[", "{", #"{"a":["#, "[}", "{]", #"{"a":1]"#, #"["a"}"#, #"{"a" 1}"#, #"{"a"::1}"#,
        "[\"a\nb\"]", #"["\ud83d"]"#, #"["\ude00"]"#, "nulll", "{} {}", "[1]]", #"{"a":1}}"#, "",
    ])
    func invalidValuesAreRejected(_ json: String) {
        #expect(!Self.skipsWhole(json), "\(json)")
    }

    /// Values nest at most `maxDepth` levels: 63 enclosing containers are fine, 64 are not,
    /// for scalars and containers alike (the recursive reader's limit).
    @Test func depthLimitIsTheRecursiveReadersLimit() {
        let max = JSONScanner.maxDepth
        func arrays(_ n: Int, around inner: String) -> String {
            String(repeating: "[", count: n) + inner + String(repeating: "]", count: n)
        }
        func objects(_ n: Int, around inner: String) -> String {
            String(repeating: #"{"k":"#, count: n) + inner + String(repeating: "}", count: n)
        }
        #expect(Self.skipsWhole(arrays(max - 1, around: "1")))
        #expect(!Self.skipsWhole(arrays(max, around: "1")))
        #expect(Self.skipsWhole(arrays(max, around: "")))
        #expect(!Self.skipsWhole(arrays(max + 1, around: "")))
        #expect(Self.skipsWhole(objects(max - 1, around: "null")))
        #expect(!Self.skipsWhole(objects(max, around: "null")))
        #expect(Self.skipsWhole(objects(max - 1, around: "{}")))
        #expect(!Self.skipsWhole(objects(max, around: "{}")))
        // Mixed, deep on one branch only.
        #expect(Self.skipsWhole("[" + arrays(max - 2, around: "1") + "," + "2]"))
        #expect(!Self.skipsWhole("[2," + arrays(max - 1, around: "1") + "]"))
    }
}
