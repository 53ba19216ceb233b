/// Finds a key that appears twice in one JSON object, anywhere in a document.
///
/// Why: readers disagree on duplicates. Foundation's `JSONDecoder` keeps the first value,
/// Go's decoders (what the API server stores) keep the last, so a body with `replicas` 1 then
/// 3 would be judged as a different object than the one stored. The API server never sends
/// duplicates; a body that has them is refused (400) instead of being read either way.
///
/// Only the slow path runs this: the fast readers already give up on a field or a map key
/// they read twice, and keys they skip change nothing for either reader.
public enum DuplicateKeys {
    public struct Found: Sendable, Equatable {
        /// Where: `request.object.spec`, `request.object.metadata.annotations`.
        public var path: String
        public var key: String
        /// The last `request.uid` string seen, as Go would read it, for the answer to echo.
        public var lastRequestUID: String?
    }

    /// Nested deeper than this, the walk gives up (nil) and the decoder reports the error.
    static let maximumDepth = 512

    private enum Frame {
        case object(path: String, keys: Set<[UInt8]>)
        case array(path: String)

        var path: String {
            switch self {
            case .object(let path, _), .array(let path): return path
            }
        }
    }

    /// The first duplicate key in document order, or nil when there is none or the bytes are
    /// not JSON the walk can follow (the decoder then says what is wrong).
    public static func find(_ bytes: [UInt8]) -> Found? {
        var i = 0
        var stack: [Frame] = []
        var found: Found?
        var lastUID: String?
        /// The path of the value about to be read.
        var valuePath = ""

        func skipSpace() {
            while i < bytes.count, bytes[i] == 0x20 || bytes[i] == 0x0A || bytes[i] == 0x0D || bytes[i] == 0x09 { i += 1 }
        }

        readValue: while true {
            // Read one value at `valuePath`.
            skipSpace()
            guard i < bytes.count else { return nil }
            var closedValue = true
            switch bytes[i] {
            case UInt8(ascii: "{"):
                guard stack.count < maximumDepth else { return nil }
                i += 1
                stack.append(.object(path: valuePath, keys: []))
                closedValue = false
            case UInt8(ascii: "["):
                guard stack.count < maximumDepth else { return nil }
                i += 1
                stack.append(.array(path: valuePath))
                skipSpace()
                if i < bytes.count, bytes[i] == UInt8(ascii: "]") {
                    i += 1
                    stack.removeLast()
                } else {
                    valuePath = valuePath + "[]"
                    continue readValue
                }
            case UInt8(ascii: "\""):
                guard let text = readString(bytes, &i) else { return nil }
                if valuePath == "request.uid" { lastUID = String(decoding: text, as: UTF8.self) }
            default:
                // A number or a literal: up to the next delimiter.
                let start = i
                while i < bytes.count, !isDelimiter(bytes[i]) { i += 1 }
                guard i > start else { return nil }
            }
            // After a value (or an object just opened): keys and separators until the next value.
            afterValue: while true {
                skipSpace()
                guard let top = stack.last else {
                    return found.map { Found(path: $0.path, key: $0.key, lastRequestUID: lastUID) }
                }
                guard i < bytes.count else { return nil }
                switch top {
                case .object(let path, var keys):
                    if bytes[i] == UInt8(ascii: "}") {
                        i += 1
                        stack.removeLast()
                        closedValue = true
                        continue afterValue
                    }
                    if closedValue {
                        guard bytes[i] == UInt8(ascii: ",") else { return nil }
                        i += 1
                        skipSpace()
                    }
                    guard i < bytes.count, bytes[i] == UInt8(ascii: "\""), let key = readString(bytes, &i) else { return nil }
                    if !keys.insert(key).inserted, found == nil {
                        found = Found(path: path.isEmpty ? "the document" : path, key: String(decoding: key, as: UTF8.self))
                    }
                    stack[stack.count - 1] = .object(path: path, keys: keys)
                    skipSpace()
                    guard i < bytes.count, bytes[i] == UInt8(ascii: ":") else { return nil }
                    i += 1
                    let name = String(decoding: key, as: UTF8.self)
                    valuePath = path.isEmpty ? name : path + "." + name
                    continue readValue
                case .array(let path):
                    if bytes[i] == UInt8(ascii: "]") {
                        i += 1
                        stack.removeLast()
                        closedValue = true
                        continue afterValue
                    }
                    guard bytes[i] == UInt8(ascii: ",") else { return nil }
                    i += 1
                    valuePath = path + "[]"
                    continue readValue
                }
            }
        }
    }

    private static func isDelimiter(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: ","), UInt8(ascii: "}"), UInt8(ascii: "]"), 0x20, 0x0A, 0x0D, 0x09: return true
        default: return false
        }
    }

    /// The UTF-8 of the string at `i` (which is at its opening quote), escapes resolved;
    /// `i` ends after the closing quote. Nil for a string the decoder would refuse.
    static func readString(_ bytes: [UInt8], _ i: inout Int) -> [UInt8]? {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let byte = bytes[i]
            i += 1
            switch byte {
            case UInt8(ascii: "\""):
                return out
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { return nil }
                let escaped = bytes[i]
                i += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    guard var scalar = hex4(bytes, &i) else { return nil }
                    if (0xD800..<0xDC00).contains(scalar) {
                        // A high surrogate must be followed by an escaped low one.
                        guard i + 1 < bytes.count, bytes[i] == UInt8(ascii: "\\"), bytes[i + 1] == UInt8(ascii: "u") else { return nil }
                        i += 2
                        guard let low = hex4(bytes, &i), (0xDC00..<0xE000).contains(low) else { return nil }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { return nil }
                    out.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    return nil
                }
            default:
                guard byte >= 0x20 else { return nil }
                out.append(byte)
            }
        }
        return nil
    }

    private static func hex4(_ bytes: [UInt8], _ i: inout Int) -> UInt32? {
        guard i + 4 <= bytes.count else { return nil }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let c = bytes[i]
            i += 1
            let digit: UInt32
            switch c {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(c - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(c - UInt8(ascii: "a") + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(c - UInt8(ascii: "A") + 10)
            default: return nil
            }
            value = value << 4 | digit
        }
        return value
    }
}
