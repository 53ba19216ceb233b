import Foundation
import Testing
@testable import SingletonCore

/// The word-at-a-time scanning (`ByteWords`, `JSONScanner.plainEnd`, `JSONKey.scan`) against
/// byte-by-byte references: every stop byte at every position of the 8-byte word, every
/// start alignment, the tail shorter than a word, and bytes next to a stop that the SWAR
/// arithmetic could mistake for one (0x20, 0x21, 0x7F, 0x80, 0xFF, UTF-8 sequences).
struct ByteWordsTests {
    /// Bytes that end a plain run of string bytes, and bytes that must not.
    static let stringStops: [UInt8] = [0x00, 0x01, 0x0A, 0x1F, UInt8(ascii: "\""), UInt8(ascii: "\\")]
    static let nonStops: [UInt8] = [
        0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0x80, 0xA2, 0xC3, 0xDC, 0xFF, UInt8(ascii: "a"),
    ]

    /// The reference: the first byte from `start` that is `"`, `\` or a control.
    static func referencePlainEnd(_ bytes: [UInt8], from start: Int) -> Int {
        var p = start
        while p < bytes.count, !(bytes[p] == 0x22 || bytes[p] == 0x5C || bytes[p] < 0x20) { p += 1 }
        return p
    }

    /// The reference key packing: byte by byte, `acc << 8 | byte`, a word every 8 bytes.
    static func referenceKey(_ bytes: [UInt8], from start: Int) -> (key: JSONKey, end: Int) {
        var key = JSONKey()
        var p = start, acc: UInt64 = 0, words = 0
        func store(_ word: UInt64, _ i: Int) {
            switch i {
            case 0: key.w0 = word
            case 1: key.w1 = word
            case 2: key.w2 = word
            default: key.w2 = (key.w2 ^ word) &* 0x9E37_79B9_7F4A_7C15
            }
        }
        while p < bytes.count {
            let b = bytes[p]
            if b < 0x20 || b >= 0x80 || b == 0x22 || b == 0x5C { break }
            acc = acc << 8 | UInt64(b)
            p += 1
            if (p - start) % 8 == 0 { store(acc, words); words += 1; acc = 0 }
        }
        if (p - start) % 8 != 0 { store(acc, words) }
        key.length = p - start
        return (key, p)
    }

    /// `length` filler bytes from `fill`, cycling.
    static func filler(_ length: Int, _ fill: [UInt8]) -> [UInt8] {
        (0..<length).map { fill[$0 % fill.count] }
    }

    @Test func plainEndFindsEveryStopAtEveryPositionAndAlignment() {
        for stop in Self.stringStops {
            for prefix in 0..<9 {
                for position in 0..<20 {
                    for trailing in [0, 1, 7, 8, 9] {
                        var bytes = Self.filler(prefix, [0x22, 0x00]) + Self.filler(position, Self.nonStops)
                        bytes.append(stop)
                        bytes += Self.filler(trailing, Self.nonStops)
                        let got = JSONScanner.plainEnd(bytes.span, from: prefix)
                        #expect(got == prefix + position, "stop \(stop) prefix \(prefix) position \(position)")
                        #expect(got == Self.referencePlainEnd(bytes, from: prefix))
                    }
                }
            }
        }
    }

    @Test func plainEndRunsToTheEndWithoutAStop() {
        for prefix in 0..<9 {
            for length in 0..<33 {
                let bytes = Self.filler(prefix, [0x5C]) + Self.filler(length, Self.nonStops)
                #expect(JSONScanner.plainEnd(bytes.span, from: prefix) == bytes.count)
            }
        }
        #expect(JSONScanner.plainEnd([UInt8]().span, from: 0) == 0)
        #expect(JSONScanner.plainEnd([UInt8](repeating: 0x41, count: 4).span, from: 4) == 4)
    }

    /// A stop right after bytes that borrow in the SWAR subtraction (0x00 before '"'...)
    /// and several stops in one word: the first one counts.
    @Test func plainEndTakesTheFirstOfSeveralStops() {
        for first in 0..<8 {
            for second in (first + 1)..<9 {
                for (a, b) in [(UInt8(0x22), UInt8(0x00)), (0x00, 0x22), (0x1F, 0x5C), (0x5C, 0x01), (0x0A, 0x0A)] {
                    var bytes = [UInt8](repeating: 0x21, count: 16)
                    bytes[first] = a
                    bytes[second] = b
                    #expect(JSONScanner.plainEnd(bytes.span, from: 0) == first)
                }
            }
        }
    }

    @Test func seededRandomBuffersMatchTheReference() {
        var rng = SplitMix(seed: 0x5EED_B17E)
        let alphabet: [UInt8] = Self.stringStops + Self.nonStops + [0x30, 0x41, 0x7E, 0x3A, 0x2C]
        for _ in 0..<3000 {
            let length = Int(rng.next() % 40)
            // Mostly plain bytes, with a stop now and then.
            let bytes = (0..<length).map { _ in
                rng.next() % 6 == 0 ? alphabet[Int(rng.next() % UInt64(alphabet.count))] : UInt8(0x61 + rng.next() % 26)
            }
            let start = length == 0 ? 0 : Int(rng.next() % UInt64(length))
            #expect(JSONScanner.plainEnd(bytes.span, from: start) == Self.referencePlainEnd(bytes, from: start))
            let (key, end) = JSONKey.scan(bytes.span, from: start)
            let (refKey, refEnd) = Self.referenceKey(bytes, from: start)
            #expect(key == refKey && end == refEnd, "\(bytes) from \(start)")
        }
    }

    @Test func keyScanMatchesTheReferenceForEveryLengthStopAndAlignment() {
        let keyStops: [UInt8] = [0x22, 0x5C, 0x00, 0x1F, 0x80, 0xC3, 0xFF]
        let keyBytes: [UInt8] = Array("abcdefghijklmnopqrstuvwxyz-./:_ 0123456789~\u{7F}".utf8)
        for prefix in 0..<9 {
            for length in 0..<42 {
                for stop in keyStops + [nil] {
                    var bytes =
                        Self.filler(prefix, [0x22])
                        + Self.filler(length, keyBytes.shuffledDeterministically(by: length))
                    if let stop { bytes.append(stop); bytes += [0x3A, 0x30, 0x7D, 0x7D, 0x7D, 0x7D, 0x7D, 0x7D, 0x7D] }
                    let (key, end) = JSONKey.scan(bytes.span, from: prefix)
                    let (refKey, refEnd) = Self.referenceKey(bytes, from: prefix)
                    #expect(end == prefix + length)
                    #expect(
                        key == refKey && end == refEnd,
                        "prefix \(prefix) length \(length) stop \(String(describing: stop))")
                }
            }
        }
    }

    @Test func packedTakesTheLeadingBytesFirstByteHighest() {
        let w = ByteWords.load(Array("ABCDEFGH".utf8).span, 0)
        #expect(ByteWords.packed(w, count: 0) == 0)
        #expect(ByteWords.packed(w, count: 1) == 0x41)
        #expect(ByteWords.packed(w, count: 3) == 0x41_4243)
        #expect(ByteWords.packed(w, count: 8) == 0x4142_4344_4546_4748)
    }
}

/// A small deterministic generator (SplitMix64), so failures reproduce.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array {
    /// The elements rotated by `n`: a different arrangement per length, reproducibly.
    func shuffledDeterministically(by n: Int) -> [Element] {
        guard !isEmpty else { return self }
        let k = n % count
        return Array(self[k...] + self[..<k])
    }
}
