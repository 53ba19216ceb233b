/// Finds a key that appears twice in one JSON object, anywhere in a document.
///
/// Why: readers disagree on duplicates. Foundation's `JSONDecoder` keeps the first value,
/// Go's decoders (what the API server stores) keep the last, so a body with `replicas` 1 then
/// 3 would be judged as a different object than the one stored. The API server never sends
/// duplicates; a body that has them is refused (400) instead of being read either way.
///
/// Only the Codable path runs this: the byte reader (`ReviewReader`) already gives up on a
/// field or a map key it reads twice, and keys it skips change nothing for either reader.
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
        guard var scanner = JSONScanner(bytes) else { return nil }
        var stack: [Frame] = []
        var found: Found?
        var lastUID: String?
        /// The path of the value about to be read.
        var valuePath = ""

        /// The string at the scanner's position (an opening quote), escapes decoded.
        func string() -> String? { try? scanner.readString() }

        readValue: while true {
            // Read one value at `valuePath`.
            scanner.skipWhitespace()
            guard scanner.pos < bytes.count else { return nil }
            var closedValue = true
            switch bytes[scanner.pos] {
            case UInt8(ascii: "{"):
                guard stack.count < maximumDepth else { return nil }
                scanner.pos += 1
                stack.append(.object(path: valuePath, keys: []))
                closedValue = false
            case UInt8(ascii: "["):
                guard stack.count < maximumDepth else { return nil }
                scanner.pos += 1
                stack.append(.array(path: valuePath))
                scanner.skipWhitespace()
                if scanner.pos < bytes.count, bytes[scanner.pos] == UInt8(ascii: "]") {
                    scanner.pos += 1
                    stack.removeLast()
                } else {
                    valuePath = valuePath + "[]"
                    continue readValue
                }
            case UInt8(ascii: "\""):
                guard let text = string() else { return nil }
                if valuePath == "request.uid" { lastUID = text }
            default:
                // A number or a literal: up to the next delimiter.
                let start = scanner.pos
                while scanner.pos < bytes.count, !isDelimiter(bytes[scanner.pos]) { scanner.pos += 1 }
                guard scanner.pos > start else { return nil }
            }
            // After a value (or an object just opened): keys and separators until the next value.
            afterValue: while true {
                scanner.skipWhitespace()
                guard let top = stack.last else {
                    return found.map { Found(path: $0.path, key: $0.key, lastRequestUID: lastUID) }
                }
                guard scanner.pos < bytes.count else { return nil }
                switch top {
                case .object(let path, var keys):
                    if bytes[scanner.pos] == UInt8(ascii: "}") {
                        scanner.pos += 1
                        stack.removeLast()
                        closedValue = true
                        continue afterValue
                    }
                    if closedValue {
                        guard bytes[scanner.pos] == UInt8(ascii: ",") else { return nil }
                        scanner.pos += 1
                        scanner.skipWhitespace()
                    }
                    // Compared as bytes, as Go compares keys (Swift's String equality is canonical).
                    guard scanner.pos < bytes.count, bytes[scanner.pos] == UInt8(ascii: "\""), let key = string() else {
                        return nil
                    }
                    if !keys.insert(Array(key.utf8)).inserted, found == nil {
                        found = Found(path: path.isEmpty ? "the document" : path, key: key)
                    }
                    stack[stack.count - 1] = .object(path: path, keys: keys)
                    scanner.skipWhitespace()
                    guard scanner.pos < bytes.count, bytes[scanner.pos] == UInt8(ascii: ":") else { return nil }
                    scanner.pos += 1
                    valuePath = path.isEmpty ? key : path + "." + key
                    continue readValue
                case .array(let path):
                    if bytes[scanner.pos] == UInt8(ascii: "]") {
                        scanner.pos += 1
                        stack.removeLast()
                        closedValue = true
                        continue afterValue
                    }
                    guard bytes[scanner.pos] == UInt8(ascii: ",") else { return nil }
                    scanner.pos += 1
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
}
