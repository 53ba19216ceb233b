import Foundation

/// The fast path of `AdmissionReview.encodeResponse`: writes the response AdmissionReview
/// byte for byte as `JSONEncoder` with `[.sortedKeys, .withoutEscapingSlashes]` does, without
/// its reflection and boxing. The golden tests and the differential tests pin the equality.
///
/// Audit annotation keys are sorted here by bytes; to stay clear of the encoder's own
/// collation rules, keys that are not lowercase ASCII letters and `-` return nil and the
/// caller uses `JSONEncoder`.
enum ResponseWriter {
    static func encode(_ response: AdmissionResponse) -> [UInt8]? {
        var out = head(allowed: response.allowed)
        if let audit = response.auditAnnotations {
            guard audit.keys.allSatisfy(isPlainKey) else { return nil }
            out.append(contentsOf: Fragment.auditAnnotations)
            var first = true
            // Sorted as pairs: no hashing to look each value up again. The keys are plain
            // ASCII (checked above), for which `<` is the byte order, with a fast path.
            for (key, value) in audit.sorted(by: { $0.key < $1.key }) {
                if !first { out.append(UInt8(ascii: ",")) }
                first = false
                appendString(key, to: &out)
                out.append(UInt8(ascii: ":"))
                appendString(value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
        if let status = response.status {
            guard status.metadata.isEmpty else { return nil }
            appendStatus(
                code: status.code, message: status.message, reason: status.reason, status: status.status, to: &out)
        }
        finish(uid: response.uid, warnings: response.warnings, to: &out)
        return out
    }

    /// The bytes `encode(decision.response(uid: uid))` writes, straight from the decision:
    /// no response, audit map or sorted copy of it is built. Its audit keys are plain and
    /// sort `mode`, `rule`, `would-deny`.
    ///
    /// Why: with the workload lane deciding cheaply, going through the response (its audit
    /// map built, then sorted into an array on the way out) cost a review measurably more
    /// instructions and instruction-cache misses (docs/performance.md).
    static func encode(_ decision: AdmissionDecision, uid: String) -> [UInt8] {
        var out = head(allowed: decision.allowed)
        out.append(contentsOf: Fragment.auditAnnotations)
        if let mode = decision.mode {
            out.append(contentsOf: Fragment.modeKey)
            appendString(mode.rawValue, to: &out)
            out.append(UInt8(ascii: ","))
        }
        out.append(contentsOf: Fragment.ruleKey)
        appendString(decision.rule.rawValue, to: &out)
        if decision.wouldDeny {
            out.append(contentsOf: Fragment.wouldDenyKey)
            appendString(decision.message ?? "denied", to: &out)
        }
        out.append(UInt8(ascii: "}"))
        if !decision.allowed {
            let status = AdmissionDecision.status(code: decision.code, message: decision.message)
            appendStatus(
                code: status.code, message: status.message, reason: status.reason, status: status.status, to: &out)
        }
        finish(uid: uid, warnings: decision.warnings.isEmpty ? nil : decision.warnings, to: &out)
        return out
    }

    private static func head(allowed: Bool) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(512)  // a typical answer with a message fits: no regrowth
        out.append(contentsOf: allowed ? Fragment.headAllowed : Fragment.headDenied)
        return out
    }

    private static func appendStatus(code: Int, message: String, reason: String, status: String, to out: inout [UInt8])
    {
        append(#","status":{"code":"#, to: &out)
        append(String(code), to: &out)
        append(#","message":"#, to: &out)
        appendString(message, to: &out)
        append(#","metadata":{},"reason":"#, to: &out)
        appendString(reason, to: &out)
        append(#","status":"#, to: &out)
        appendString(status, to: &out)
        out.append(UInt8(ascii: "}"))
    }

    /// The uid, the warnings and the two closing braces.
    private static func finish(uid: String, warnings: [String]?, to out: inout [UInt8]) {
        out.append(contentsOf: Fragment.uid)
        appendString(uid, to: &out)
        if let warnings {
            out.append(contentsOf: Fragment.warnings)
            for (i, w) in warnings.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                appendString(w, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
        out.append(UInt8(ascii: "}"))
    }

    /// The constant parts of every answer, as bytes: appending an array is a copy, while
    /// appending a string's UTF-8 view went through its generic path each time.
    private enum Fragment {
        static let headAllowed = Array(
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"allowed":true"#.utf8)
        static let headDenied = Array(
            #"{"apiVersion":"admission.k8s.io/v1","kind":"AdmissionReview","response":{"allowed":false"#.utf8)
        static let auditAnnotations = Array(#","auditAnnotations":{"#.utf8)
        static let modeKey = Array(#""mode":"#.utf8)
        static let ruleKey = Array(#""rule":"#.utf8)
        static let wouldDenyKey = Array(#","would-deny":"#.utf8)
        static let uid = Array(#","uid":"#.utf8)
        static let warnings = Array(#","warnings":["#.utf8)
    }

    private static func isPlainKey(_ key: String) -> Bool {
        !key.isEmpty
            && key.utf8.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || $0 == UInt8(ascii: "-") }
    }

    private static func append(_ s: String, to out: inout [UInt8]) {
        out.append(contentsOf: s.utf8)
    }

    /// Whether a byte from `start` on needs an escape: `JSONScanner.plainEnd`'s stop bytes
    /// (`"`, `\` and controls) are exactly those, checked eight at a time.
    private static func needsEscape(_ span: Span<UInt8>, from start: Int) -> Bool {
        JSONScanner.plainEnd(span, from: start) < span.count
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// A JSON string as `JSONEncoder` writes it: `"` and `\` escaped, the short escapes for
    /// backspace, form feed, newline, carriage return and tab, `\u00xx` for other control
    /// characters, everything else (slashes included, with `.withoutEscapingSlashes`) as is.
    private static func appendString(_ s: String, to out: inout [UInt8]) {
        out.append(UInt8(ascii: "\""))
        // Messages and uids rarely need escaping: copy them in bulk and check the copy;
        // only when something needs an escape is it redone byte by byte.
        let mark = out.count
        out.append(contentsOf: s.utf8)
        guard Self.needsEscape(out.span, from: mark) else {
            out.append(UInt8(ascii: "\""))
            return
        }
        out.removeSubrange(mark...)
        for b in s.utf8 {
            switch b {
            case UInt8(ascii: "\""): out.append(UInt8(ascii: "\\")); out.append(b)
            case UInt8(ascii: "\\"): out.append(UInt8(ascii: "\\")); out.append(b)
            case 0x08: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "b"))
            case 0x0C: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "f"))
            case 0x0A: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "n"))
            case 0x0D: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "r"))
            case 0x09: out.append(UInt8(ascii: "\\")); out.append(UInt8(ascii: "t"))
            case 0x00..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(hex[Int(b >> 4)])
                out.append(hex[Int(b & 0xF)])
            default: out.append(b)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
