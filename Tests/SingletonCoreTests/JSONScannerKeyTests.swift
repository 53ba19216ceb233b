import Foundation
import Testing
@testable import SingletonCore

/// The scanner's byte-level key matching (`JSONKey`, `JSONField`, `nextMember`): a key is
/// a field only when all of its bytes are the field's name, a field seen twice defers (as
/// `JSONDecoder` keeps the first), other keys seen twice are read like `JSONDecoder`
/// reads them (ignored), and keys it cannot compare as bytes defer to Codable.
struct JSONScannerKeyTests {
    /// The field `nextMember` reports for the first key of `{"<key>":0}`, or nil when the
    /// scanner defers (throws `Unsupported`).
    static func field(ofKey key: String) -> JSONField? {
        guard var s = JSONScanner(Array(#"{"\#(key)":0}"#.utf8)) else { return nil }
        do {
            var members = try s.members()
            return try s.nextMember(&members)
        } catch {
            return nil
        }
    }

    /// Reads every member of `json` (skipping values); false when the scanner defers.
    static func readsAllMembers(_ json: String) -> Bool {
        guard var s = JSONScanner(Array(json.utf8)) else { return false }
        do {
            var members = try s.members()
            while try s.nextMember(&members) != nil { try s.skipValue() }
            return true
        } catch {
            return false
        }
    }

    @Test func everyFieldNameLooksUpToItself() {
        for field in JSONField.allCases where field != .unknown {
            #expect(Self.field(ofKey: field.rawValue) == field, "\(field.rawValue)")
        }
    }

    @Test(arguments: [
        // Prefixes and extensions of field names, and names differing in one byte, in the
        // first word, the second word or the last byte.
        "nam", "names", "namespaces", "Name", "nAme", "replica", "replicasX", "Replicas",
        "resourceVersio", "resourceVersionX", "resourceVersioN", "ownerReference", "ownerReferencesX",
        "blockOwnerDeletio", "blockOwnerDeletionX", "availableReplicaS", "matchLabel", "k", "ke", "keys",
        "", " name", "name ", "apiversion", "kind2", "operators", "protocols",
        // Longer than the 24 packed bytes: never a field.
        "blockOwnerDeletionblockOwnerDeletion", "annotationsannotationsannotations",
    ])
    func lookalikeKeysAreNotFields(_ key: String) {
        #expect(Self.field(ofKey: key) == .unknown, "\(key)")
    }

    @Test func packingDependsOnEveryByteAndTheLength() throws {
        func key(_ s: String) -> JSONKey {
            let bytes = Array(s.utf8)
            return JSONKey.scan(bytes.span, from: 0).key
        }
        let keys = [
            "a", "b", "ab", "ba", "abcdefgh", "abcdefg", "abcdefghi", "abcdefgha",
            "abcdefghabcdefghabcdefgh", "abcdefghabcdefghabcdefgi", "abcdefghabcdefghabcdefg",
            "abcdefghabcdefghabcdefghX", "abcdefghabcdefghabcdefghY", "abcdefghabcdefghabcdefghXY",
        ]
        for (i, a) in keys.enumerated() {
            for b in keys[(i + 1)...] {
                #expect(key(a) != key(b), "\(a) vs \(b)")
            }
            #expect(key(a) == key(a))
        }
        // The scan stops at the closing quote and reports where.
        let quoted = Array(#"name":1"#.utf8)
        let (k, end) = JSONKey.scan(quoted.span, from: 0)
        #expect(k == key("name") && end == 4)
    }

    @Test(arguments: [
        #"{"name":1,"name":2}"#,
        #"{"x":1,"name":2,"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"name":3}"#,
        #"{"blockOwnerDeletion":true,"x":1,"blockOwnerDeletion":false}"#,
    ])
    func aFieldTwiceDefers(_ json: String) {
        #expect(!Self.readsAllMembers(json))
    }

    @Test(arguments: [
        #"{"x":1,"name":2,"x":3}"#,
        #"{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0,"a":0,"j":0}"#,
        #"{"aVeryLongKeyThatIsLongerThan24Bytes":1,"aVeryLongKeyThatIsLongerThan24Bytes":2}"#,
    ])
    func anotherKeyTwiceIsReadAsJSONDecoderReadsIt(_ json: String) throws {
        #expect(Self.readsAllMembers(json))
        // JSONDecoder ignores undeclared keys however often they appear.
        struct OnlyName: Decodable { var name: Int? }
        _ = try JSONDecoder().decode(OnlyName.self, from: Data(json.utf8))
    }

    @Test(arguments: [
        #"{"name":1,"names":2,"nam":3,"namespace":4}"#,
        #"{"a":0,"b":0,"c":0,"d":0,"e":0,"f":0,"g":0,"h":0,"i":0,"j":0,"k":0,"name":0}"#,
        // Same first 24 bytes, different tails.
        #"{"aVeryLongKeyThatIsLongerThan24BytesX":1,"aVeryLongKeyThatIsLongerThan24BytesY":2}"#,
        "{ \"name\" :\t1 ,\r\n \"uid\"\n:\n2 }",
        "{}", "{ }",
    ])
    func distinctKeysRead(_ json: String) {
        #expect(Self.readsAllMembers(json))
    }

    @Test(arguments: [
        #"{"na\u006de":1}"#,  // an escape: the key is not compared as bytes
        #"{"n\"ame":1}"#,
        #"{"nämé":1}"#,  // non-ASCII
        #"{"name":1,}"#, #"{"name" 1}"#, #"{"name":1 "uid":2}"#, #"{name:1}"#, #"{"name":1"#,
    ])
    func keysItCannotCompareOrBadObjectsDefer(_ json: String) {
        #expect(!Self.readsAllMembers(json))
    }
}
