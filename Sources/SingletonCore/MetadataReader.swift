/// The parent cache's byte reader: a page of a metadata list (or one object) straight from the
/// API server's bytes into `ObjectMeta`, keeping only what the cache keeps: name, namespace,
/// uid, resourceVersion, owner references and the annotations under one prefix.
///
/// Why: the webhook lists every workload of the cluster at start and after each 410, a page
/// of 500 at a time. Decoding those pages with `JSONDecoder` was most of its CPU until
/// /readyz and left a page's worth of short-lived strings and maps in the heap each time;
/// labels, managedFields and every other annotation were built only to be dropped.
///
/// The Codable types (`KubeListPage` of the webhook's `ParentMetadata`) stay the reference,
/// as for `ReviewReader`: whenever this reader is not sure it reads a page as they would (a
/// wrong type, a field it reads seen twice, a key with a non-ASCII byte, `shardInfo`), it
/// returns nil and the caller decodes with them, keeping their errors. The agreement tests
/// hold the two to the same result.
public enum MetadataReader {
    /// One page as read: the items' metadata and the list's own.
    public struct Page: Sendable, Equatable {
        public var items: [ObjectMeta] = []
        public var resourceVersion: String?
        public var continueToken: String?
        public var remainingItemCount: Int?
        public var selfLink: String?
        public var apiVersion: String?
        public var kind: String?
    }

    typealias Unsupported = JSONScanner.Unsupported

    /// Reads a list (`{"metadata": {...}, "items": [{"metadata": {...}}, ...]}`); nil when
    /// the Codable types must decide.
    public static func page(_ bytes: [UInt8], annotationPrefix: String) -> Page? {
        guard var s = JSONScanner(bytes) else { return nil }
        let prefix = Array(annotationPrefix.utf8)
        var page = Page()
        do {
            var members = try s.members()
            while let field = try s.nextMember(&members) {
                switch field {
                case .apiVersion: page.apiVersion = try s.optionalString()
                case .kind: page.kind = try s.optionalString()
                case .metadata: if try !s.readNull() { try listMeta(&s, into: &page) }
                case .items:
                    if try s.readNull() { continue }
                    var elements = try s.elements()
                    while try s.nextElement(&elements) {
                        page.items.append(ObjectMeta())
                        try item(&s, prefix: prefix, into: &page.items[page.items.count - 1])
                    }
                default: try s.skipValue()
                }
            }
        } catch {
            return nil
        }
        s.skipWhitespace()
        return s.atEnd ? page : nil
    }

    /// Reads one object (`{"metadata": {...}, ...}`): a watch event's, or a GET's answer.
    public static func object(_ bytes: [UInt8], annotationPrefix: String) -> ObjectMeta? {
        guard var s = JSONScanner(bytes) else { return nil }
        var meta = ObjectMeta()
        do {
            try item(&s, prefix: Array(annotationPrefix.utf8), into: &meta)
        } catch {
            return nil
        }
        s.skipWhitespace()
        return s.atEnd ? meta : nil
    }

    /// `ListMeta`: what the Codable type declares is type-checked, the rest skipped.
    private static func listMeta(_ s: inout JSONScanner, into page: inout Page) throws(Unsupported) {
        var sawSelfLink = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .resourceVersion: page.resourceVersion = try s.optionalString()
            case .continueToken: page.continueToken = try s.optionalString()
            case .remainingItemCount: page.remainingItemCount = try s.optionalInt()
            default:
                if s.bytes(members.keyRange, equal: selfLink) {
                    guard !sawSelfLink else { throw Unsupported() }
                    sawSelfLink = true
                    page.selfLink = try s.optionalString()
                } else if s.bytes(members.keyRange, equal: shardInfo) {
                    guard try s.readNull() else { throw Unsupported() }  // the rare sharded list
                } else {
                    try s.skipValue()
                }
            }
        }
    }

    private static let selfLink = Array("selfLink".utf8)
    private static let shardInfo = Array("shardInfo".utf8)

    /// One item: its `metadata` (required, as the Codable type has it); everything else skipped.
    private static func item(_ s: inout JSONScanner, prefix: [UInt8], into meta: inout ObjectMeta) throws(Unsupported) {
        var found = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            if field == .metadata {
                guard try !s.nullOrObject() else { throw Unsupported() }
                try objectMeta(&s, prefix: prefix, into: &meta)
                found = true
            } else {
                try s.skipValue()
            }
        }
        guard found else { throw Unsupported() }
    }

    private static func objectMeta(
        _ s: inout JSONScanner, prefix: [UInt8], into meta: inout ObjectMeta
    )
        throws(Unsupported)
    {
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .name: meta.name = try s.optionalString()
            case .namespace: meta.namespace = try s.optionalString()
            case .uid: meta.uid = try s.optionalString()
            case .resourceVersion: meta.resourceVersion = try s.optionalString()
            case .annotations: meta.annotations = try annotations(&s, prefix: prefix)
            case .ownerReferences: meta.ownerReferences = try ReviewReader.ownerReferences(&s)
            default: try s.skipValue()
            }
        }
    }

    /// The annotations whose keys start with `prefix` (nil when there are none); the others
    /// are skipped without building their keys or values. A kept key seen twice is unsupported.
    private static func annotations(_ s: inout JSONScanner, prefix: [UInt8]) throws(Unsupported) -> [String: String]? {
        if try s.readNull() { return nil }
        try s.expect(UInt8(ascii: "{"))
        var kept: [String: String]?
        var started = false
        while try s.continues(&started, close: UInt8(ascii: "}")) {
            if let key = try s.mapKey(startingWith: prefix) {
                let value = try s.readString()
                var map = kept ?? [:]
                guard map.updateValue(value, forKey: key) == nil else { throw Unsupported() }
                kept = map
            } else {
                try s.skipValue()
            }
        }
        return kept
    }
}

extension JSONScanner {
    /// The next map key when it starts with `prefix`, else nil; the key and its colon are
    /// consumed either way. A plain key is compared as bytes and built only when it matches;
    /// one with escapes is decoded first, as `JSONDecoder` would.
    mutating func mapKey(startingWith prefix: [UInt8]) throws(Unsupported) -> String? {
        try expect(UInt8(ascii: "\""))
        let start = pos
        let end = Self.plainEnd(bytes.span, from: start)
        guard end < bytes.count else { throw Unsupported() }
        let key: String?
        if bytes[end] == UInt8(ascii: "\"") {
            pos = end + 1
            let matches =
                end - start >= prefix.count
                && ByteWords.bytesEqual(bytes.span, start, prefix.span, 0, count: prefix.count)
            key = matches ? string(start..<end) : nil
        } else {
            pos = start - 1
            let decoded = try readString()
            key = decoded.utf8.starts(with: prefix) ? decoded : nil
        }
        try expectColon()
        return key
    }
}
