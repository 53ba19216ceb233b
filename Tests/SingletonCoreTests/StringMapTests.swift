import Foundation
import Testing
@testable import SingletonCore

/// String maps (`JSONScanner.stringMap`: a Scale's or HPA's labels and annotations) read as
/// `JSONDecoder` reads them, in a document of many alike maps: the same, nearly the same, with
/// escapes and whitespace; a key twice, a wrong type or a truncated map is left to the model.
struct StringMapTests {
    /// The maps of a JSON array of string maps as the scanner reads them, nil if it defers.
    static func scanned(_ json: String) -> [[String: String]]? {
        guard var s = JSONScanner(Array(json.utf8)) else { return nil }
        do {
            var out: [[String: String]] = []
            var elements = try s.elements()
            while try s.nextElement(&elements) { out.append(try s.stringMap()) }
            s.skipWhitespace()
            return s.atEnd ? out : nil
        } catch {
            return nil
        }
    }

    static func decoded(_ json: String) -> [[String: String]]? {
        try? JSONDecoder().decode([[String: String]].self, from: Data(json.utf8))
    }

    @Test(arguments: [
        #"[{"app":"web"},{"app":"web"},{"app":"web"}]"#,
        #"[{"app":"web"},{"app":"web2"},{"app":"we"},{"app":"web","tier":"x"},{"app":"web"}]"#,
        #"[{"app":"web","tier":"frontend-long-value"},{"app":"web","tier":"frontend-long-valuf"},{"app":"web","tier":"frontend-long-value"}]"#,
        #"[{"a":"1"}, {"a":"1"} ,{ "a":"1"},{"a" : "1"},{"a":"1"}]"#,
        #"[{"k\u0061":"v"},{"ka":"v"},{"k\u0061":"v"}]"#,
        #"[{},{},{"a":"b"},{}]"#,
        #"[{"a":"1"},{"b":"2"},{"c":"3"},{"d":"4"},{"e":"5"},{"f":"6"},{"g":"7"},{"h":"8"},{"i":"9"},{"j":"10"},{"i":"9"},{"a":"1"},{"j":"10"}]"#,
        #"[{"mode":"at-most-one","lease":"é"},{"mode":"at-most-one","lease":"é"}]"#,
    ])
    func alikeMapsReadAsJSONDecoderDoes(_ json: String) throws {
        let expected = try #require(Self.decoded(json))
        #expect(Self.scanned(json) == expected)
    }

    /// A map the scanner rejects is rejected again where it repeats.
    @Test func rejectedMapsStayRejected() {
        #expect(Self.scanned(#"[{"a":"1","a":"2"},{"a":"1","a":"2"}]"#) == nil)
        #expect(Self.scanned(#"[{"a":"1"},{"a":"1"]"#) == nil)
        #expect(Self.scanned(#"[{"a":"1"},{"a":1}]"#) == nil)
    }

    /// The prefix of a map read before, at the end of the document, is not a map.
    @Test func aTruncatedRepeatIsRejected() {
        let json = #"[{"app":"web"},{"app":"we"#
        #expect(Self.scanned(json) == nil)
    }
}
