import Foundation
import KubeAPIMachinery

/// Decodes `application/vnd.kubernetes.protobuf` request bodies into JSON, for the kinds
/// in `ProtobufSchemas`: kubectl's typed generators (`kubectl create deployment ...`) send
/// protobuf and do not fall back to JSON. The envelope is `k8s\0` + `runtime.Unknown`
/// {typeMeta, raw}. Unknown kinds or fields are refused with 415 and a hint to send JSON.
enum ProtobufDecoding {
    struct Reader {
        let bytes: [UInt8]
        var pos = 0

        var atEnd: Bool { pos >= bytes.count }

        mutating func varint() throws(KubeAPIError) -> UInt64 {
            var result: UInt64 = 0
            var shift: UInt64 = 0
            while pos < bytes.count, shift < 64 {
                let b = bytes[pos]
                pos += 1
                result |= UInt64(b & 0x7F) << shift
                if b & 0x80 == 0 { return result }
                shift += 7
            }
            throw ProtobufDecoding.failure("truncated varint")
        }

        mutating func lengthDelimited() throws(KubeAPIError) -> [UInt8] {
            let n = try varint()
            guard n <= UInt64(bytes.count - pos) else { throw ProtobufDecoding.failure("truncated field") }
            let count = Int(n)
            defer { pos += count }
            return Array(bytes[pos..<(pos + count)])
        }

        /// Skips one value of the given wire type.
        mutating func skip(wire: Int) throws(KubeAPIError) {
            switch wire {
            case 0: _ = try varint()
            case 1: pos += 8
            case 2: _ = try lengthDelimited()
            case 5: pos += 4
            default: throw ProtobufDecoding.failure("unknown wire type \(wire)")
            }
            guard pos <= bytes.count else { throw ProtobufDecoding.failure("truncated field") }
        }

        /// Field number and wire type of the next field.
        mutating func tag() throws(KubeAPIError) -> (Int, Int) {
            let t = try varint()
            return (Int(t >> 3), Int(t & 7))
        }
    }

    static func failure(_ why: String) -> KubeAPIError {
        KubeAPIError(
            code: 415, reason: "UnsupportedMediaType",
            message:
                "the sandbox could not decode this protobuf body (\(why)); send JSON instead, e.g. kubectl apply -f or kubectl create -f"
        )
    }

    /// Decodes an enveloped object to JSON (with apiVersion and kind from the envelope).
    static func decode(_ data: Data) throws(KubeAPIError) -> JSONValue {
        let bytes = [UInt8](data)
        guard bytes.count > 4, bytes[0...3] == [0x6B, 0x38, 0x73, 0x00] else { throw failure("missing k8s envelope") }
        var r = Reader(bytes: Array(bytes[4...]))
        var apiVersion = "", kind = ""
        var raw: [UInt8] = []
        while !r.atEnd {
            let (field, wire) = try r.tag()
            guard wire == 2 else { throw failure("unexpected wire type in envelope") }
            let value = try r.lengthDelimited()
            switch field {
            case 1:
                var t = Reader(bytes: value)
                while !t.atEnd {
                    let (f, _) = try t.tag()
                    let s = String(decoding: try t.lengthDelimited(), as: UTF8.self)
                    if f == 1 { apiVersion = s } else if f == 2 { kind = s }
                }
            case 2: raw = value
            default: break
            }
        }
        guard let message = ProtobufSchemas.kinds["\(apiVersion)/\(kind)"] else {
            throw failure("kind \(apiVersion)/\(kind) is not supported")
        }
        var object = try decodeMessage(raw, message)
        object["apiVersion"] = .string(apiVersion)
        object["kind"] = .string(kind)
        return object
    }

    static func decodeMessage(_ bytes: [UInt8], _ name: String) throws(KubeAPIError) -> JSONValue {
        guard let fields = ProtobufSchemas.messages[name] else { throw failure("message \(name) is not supported") }
        var r = Reader(bytes: bytes)
        var out: [String: JSONValue] = [:]
        while !r.atEnd {
            let (number, wire) = try r.tag()
            guard let (key, type) = fields[number] else { throw failure("field \(number) of \(name) is not supported") }
            if case .skipped = type {
                try r.skip(wire: wire)
            } else if case .repeated(let element) = type {
                var list = out[key]?.arrayValue ?? []
                list.append(try value(&r, wire: wire, element))
                out[key] = .array(list)
            } else if case .stringMap = type {
                let (k, v) = try entry(try r.lengthDelimited())
                var map = out[key]?.objectValue ?? [:]
                map[k] = .string(String(decoding: v, as: UTF8.self))
                out[key] = .object(map)
            } else if case .bytesMap = type {
                let (k, v) = try entry(try r.lengthDelimited())
                var map = out[key]?.objectValue ?? [:]
                map[k] = .string(Data(v).base64EncodedString())
                out[key] = .object(map)
            } else {
                // Go's protobuf emits empty strings that JSON would omit; drop them likewise.
                let v = try value(&r, wire: wire, type)
                if v != .string("") && v != .null { out[key] = v }
            }
        }
        return .object(out)
    }

    static func entry(_ bytes: [UInt8]) throws(KubeAPIError) -> (String, [UInt8]) {
        var r = Reader(bytes: bytes)
        var key = "", value: [UInt8] = []
        while !r.atEnd {
            let (f, _) = try r.tag()
            let v = try r.lengthDelimited()
            if f == 1 { key = String(decoding: v, as: UTF8.self) } else { value = v }
        }
        return (key, value)
    }

    static func value(_ r: inout Reader, wire: Int, _ type: ProtoField) throws(KubeAPIError) -> JSONValue {
        switch type {
        case .int:
            guard wire == 0 else { throw failure("expected a varint") }
            return .int(Int64(bitPattern: try r.varint()))
        case .bool:
            guard wire == 0 else { throw failure("expected a varint") }
            return .bool(try r.varint() != 0)
        case .string:
            return .string(String(decoding: try r.lengthDelimited(), as: UTF8.self))
        case .bytes:
            return .string(Data(try r.lengthDelimited()).base64EncodedString())
        case .quantity:
            var q = Reader(bytes: try r.lengthDelimited())
            var s = ""
            while !q.atEnd { _ = try q.tag(); s = String(decoding: try q.lengthDelimited(), as: UTF8.self) }
            return .string(s)
        case .time:
            var t = Reader(bytes: try r.lengthDelimited())
            var seconds: Int64 = 0
            while !t.atEnd {
                let (f, _) = try t.tag()
                let v = try t.varint()
                if f == 1 { seconds = Int64(bitPattern: v) }
            }
            return seconds == 0
                ? .null : .string(ObjectStore.timestamp(Date(timeIntervalSince1970: TimeInterval(seconds))))
        case .intOrString:
            var t = Reader(bytes: try r.lengthDelimited())
            var kind: UInt64 = 0, int: Int64 = 0, str = ""
            while !t.atEnd {
                let (f, _) = try t.tag()
                switch f {
                case 1: kind = try t.varint()
                case 2: int = Int64(bitPattern: try t.varint())
                default: str = String(decoding: try t.lengthDelimited(), as: UTF8.self)
                }
            }
            return kind == 1 ? .string(str) : .int(int)
        case .message(let name):
            return try decodeMessage(try r.lengthDelimited(), name)
        case .skipped:
            try r.skip(wire: wire)
            return .null
        case .stringMap, .bytesMap, .repeated:
            throw failure("nested collections are not supported")
        }
    }
}
