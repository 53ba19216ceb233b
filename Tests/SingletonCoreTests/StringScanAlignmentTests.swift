import Foundation
import Testing
@testable import SingletonCore

/// Strings read and skipped by the scanner, with the interesting byte (an escape, a raw
/// control, a quote, multi-byte UTF-8) at every offset of the 8-byte words the scanner
/// steps by, compared with `JSONDecoder` on the same document: when the scanner reads a
/// string it is the decoder's string, and what the decoder rejects the scanner rejects.
struct StringScanAlignmentTests {
    /// JSON source text placed inside the string, and whether the scanner must accept it.
    static let specials: [(json: String, accepted: Bool)] = [
        (#"\n"#, true), (#"\""#, true), (#"\\"#, true), (#"\/"#, true), (#"\t\b\f\r"#, true),
        (#"\u00e9"#, true), (#"\u0000"#, true), (#"\ud83d\ude00"#, true), ("é", true), ("😀", true),
        ("ü\u{7F}", true), ("~", true),
        ("\u{01}", false), ("\u{1F}", false), ("\n", false), (#"\x"#, false), (#"\ud83d"#, false),
        (#"\ude00"#, false), (#"\u12"#, false),
    ]

    /// `["<json>"]` with `json` between `prefix` and `suffix` plain bytes.
    static func document(_ json: String, prefix: Int, suffix: Int) -> [UInt8] {
        let before = String(repeating: "p", count: prefix), after = String(repeating: "s", count: suffix)
        return Array("[\"\(before)\(json)\(after)\"]".utf8)
    }

    /// The string the scanner reads from `["..."]`, or nil when it defers.
    static func scanned(_ bytes: [UInt8]) -> String? {
        guard var s = JSONScanner(bytes) else { return nil }
        do {
            var elements = try s.elements()
            guard try s.nextElement(&elements) else { return nil }
            let value = try s.readString()
            guard try !s.nextElement(&elements) else { return nil }
            return value
        } catch {
            return nil
        }
    }

    @Test func everySpecialAtEveryAlignmentReadsAsJSONDecoderDoes() {
        for special in Self.specials {
            for prefix in 0..<10 {
                for suffix in [0, 1, 6, 7, 8, 9, 17] {
                    let bytes = Self.document(special.json, prefix: prefix, suffix: suffix)
                    let expected = try? JSONDecoder().decode([String].self, from: Data(bytes)).first
                    let got = Self.scanned(bytes)
                    let label = "\(special.json) prefix \(prefix) suffix \(suffix)"
                    if special.accepted {
                        #expect(got != nil, "\(label)")
                    } else {
                        #expect(got == nil, "\(label)")
                    }
                    if let got { #expect(got == expected, "\(label)") }
                    if expected == nil { #expect(got == nil, "\(label)") }
                    #expect(SkipValueTests.skipsWhole(bytes) == (got != nil), "\(label)")
                }
            }
        }
    }

    /// An unterminated string ends the document at every alignment: always deferred.
    @Test func unterminatedStringsAreRejectedAtEveryLength() {
        for length in 0..<20 {
            let bytes = Array(("[\"" + String(repeating: "x", count: length)).utf8)
            #expect(Self.scanned(bytes) == nil)
            #expect(!SkipValueTests.skipsWhole(bytes))
        }
    }
}
