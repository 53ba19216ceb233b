import Foundation
import TestSupport

/// Mutations of AdmissionReview bodies for the differential tests.
enum Mutator {
    /// Values that probe the decoders' type handling where a field is read.
    static var replacements: [Any] {
        [
            NSNull(), 1.5, 0, -1, Int.max, 1e300, "25%", "x", "", "at-most-one", true, false, [] as [Any],
            [:] as [String: Any], ["a": "b"], ["x"],
            [["apiVersion": "apps/v1", "kind": "Deployment", "name": "n", "uid": "u", "controller": true]],
            ["matchLabels": ["a": "b"], "x": 1], "\u{1F600}\u{0}\"\\/",
        ]
    }

    /// Parses the body, then replaces or removes one randomly chosen value (or changes the
    /// operation or resource), and serializes it again: valid JSON, unusual shapes.
    static func structural(_ body: Data, _ rng: inout SplitMix64) -> Data {
        guard let root = try? JSONSerialization.jsonObject(with: body) else { return bytes(body, &rng) }
        var paths: [[String]] = []
        collect(root, [], &paths)
        guard let path = paths.randomElement(using: &rng) else { return body }
        let value: Any? = Int.random(in: 0..<5, using: &rng) == 0 ? nil : replacements.randomElement(using: &rng)
        let mutated = replace(root, path[...], value)
        return (try? JSONSerialization.data(withJSONObject: mutated)) ?? body
    }

    /// Byte-level damage: truncation, a changed, inserted or deleted byte.
    static func bytes(_ body: Data, _ rng: inout SplitMix64) -> Data {
        var b = [UInt8](body)
        guard !b.isEmpty else { return body }
        let at = Int.random(in: 0..<b.count, using: &rng)
        let interesting: [UInt8] = Array(#"{}[],:"\-.e0123nu tf"#.utf8) + [0x00, 0x1F, 0x7F, 0xC3, 0xFF]
        let byte = interesting.randomElement(using: &rng) ?? 0
        switch Int.random(in: 0..<4, using: &rng) {
        case 0: b.removeSubrange(at...)
        case 1: b[at] = byte
        case 2: b.insert(byte, at: at)
        default: b.remove(at: at)
        }
        return Data(b)
    }

    private static func collect(_ value: Any, _ path: [String], _ out: inout [[String]]) {
        if !path.isEmpty { out.append(path) }
        if let dict = value as? [String: Any] {
            for (k, v) in dict { collect(v, path + [k], &out) }
        } else if let array = value as? [Any] {
            for (i, v) in array.enumerated() { collect(v, path + ["#\(i)"], &out) }
        }
    }

    private static func replace(_ value: Any, _ path: ArraySlice<String>, _ new: Any?) -> Any {
        guard let key = path.first else { return new ?? NSNull() }
        let rest = path.dropFirst()
        if var dict = value as? [String: Any], let child = dict[key] {
            if rest.isEmpty, new == nil { dict.removeValue(forKey: key) } else { dict[key] = replace(child, rest, new) }
            return dict
        }
        if var array = value as? [Any], key.hasPrefix("#"), let i = Int(key.dropFirst()), array.indices.contains(i) {
            if rest.isEmpty, new == nil { array.remove(at: i) } else { array[i] = replace(array[i], rest, new) }
            return array
        }
        return value
    }
}
