import Foundation

/// What an AdmissionRequest is about, as far as the singleton rules care.
///
/// Classifying from `resource` and `subResource` (not from the object) lets the decoder
/// skip the object entirely for requests that are not ours.
public enum AdmissionSubject: Sendable, Equatable {
    case workload(WorkloadKind)
    case scale(WorkloadKind)
    case horizontalPodAutoscaler
    /// `batch/v1` CronJob.
    case cronJob
    /// `batch/v1` Job.
    case job
    /// KEDA's `keda.sh/v1alpha1` ScaledObject.
    case scaledObject
    /// A kind the annotation has no effect on (DaemonSet): answered with a warning.
    case unsupportedKind(String)
    case notOurs

    public init(resource: GroupVersionResource, subResource: String?) {
        let sub = subResource ?? ""
        if sub.isEmpty, let subject = Self.batchOrScaler(group: resource.group, resource: resource.resource) {
            self = subject
        } else if sub.isEmpty, let kind = UnsupportedKinds.kind(group: resource.group, resource: resource.resource) {
            self = .unsupportedKind(kind)
        } else if let kind = WorkloadKind(resource: resource) {
            switch sub {
            case "": self = .workload(kind)
            case "scale": self = .scale(kind)
            default: self = .notOurs  // status and any other subresource
            }
        } else if resource.group == "autoscaling", resource.resource == "horizontalpodautoscalers", sub.isEmpty {
            self = .horizontalPodAutoscaler
        } else {
            self = .notOurs
        }
    }

    private static func batchOrScaler(group: String, resource: String) -> AdmissionSubject? {
        switch (group, resource) {
        case ("batch", "cronjobs"): return .cronJob
        case ("batch", "jobs"): return .job
        case ("keda.sh", "scaledobjects"): return .scaledObject
        default: return nil
        }
    }
}

/// The admission operation. Unknown strings are kept, not rejected: newer apiservers may
/// send operations we have never heard of, and those are simply not ours to judge.
public enum AdmissionOperation: Sendable, Equatable, Codable {
    case create, update, delete, connect
    case other(String)

    public init(from decoder: any Decoder) throws {
        let s = try decoder.singleValueContainer().decode(String.self)
        switch s {
        case "CREATE": self = .create
        case "UPDATE": self = .update
        case "DELETE": self = .delete
        case "CONNECT": self = .connect
        default: self = .other(s)
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }

    public var rawValue: String {
        switch self {
        case .create: return "CREATE"
        case .update: return "UPDATE"
        case .delete: return "DELETE"
        case .connect: return "CONNECT"
        case .other(let s): return s
        }
    }
}

/// The object (or oldObject) of a request, decoded as the type its subject calls for.
///
/// `indirect`: the payload lives in a box, so moving a request's two objects through the
/// decoder, the rules and the outcome moves a pointer instead of a workload's two dozen
/// fields (each a retain and a release), for one allocation per object (measured in
/// docs/performance.md).
public indirect enum AdmissionObject: Sendable, Equatable {
    case workload(Workload)
    case scale(Scale)
    case horizontalPodAutoscaler(HorizontalPodAutoscaler)
    case cronJob(CronJob)
    case job(Job)
    case scaledObject(ScaledObject)
    /// Only the metadata of an object of an unsupported kind.
    case metadata(ObjectMeta)
}

/// `admission.k8s.io/v1` AdmissionRequest, reduced to what the rules read.
public struct AdmissionRequest: Sendable, Equatable {
    public var uid: String
    public var kind: GroupVersionKind?
    public var resource: GroupVersionResource
    public var subResource: String?
    public var name: String?
    public var namespace: String?
    public var operation: AdmissionOperation
    public var username: String?
    public var dryRun: Bool
    public var object: AdmissionObject?
    public var oldObject: AdmissionObject?

    public init(
        uid: String, kind: GroupVersionKind? = nil, resource: GroupVersionResource, subResource: String? = nil,
        name: String? = nil, namespace: String? = nil, operation: AdmissionOperation, username: String? = nil,
        dryRun: Bool = false, object: AdmissionObject? = nil, oldObject: AdmissionObject? = nil
    ) {
        self.uid = uid
        self.kind = kind
        self.resource = resource
        self.subResource = subResource
        self.name = name
        self.namespace = namespace
        self.operation = operation
        self.username = username
        self.dryRun = dryRun
        self.object = object
        self.oldObject = oldObject
    }

    public var subject: AdmissionSubject { AdmissionSubject(resource: resource, subResource: subResource) }
}

extension AdmissionRequest: Decodable {
    enum CodingKeys: String, CodingKey {
        case uid, kind, resource, subResource, name, namespace, operation, userInfo, dryRun, object, oldObject
    }
    struct UserInfo: Decodable { var username: String? }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        uid = try c.decode(String.self, forKey: .uid)
        kind = try c.decodeIfPresent(GroupVersionKind.self, forKey: .kind)
        resource =
            try c.decodeIfPresent(GroupVersionResource.self, forKey: .resource)
            ?? GroupVersionResource(group: "", version: "", resource: "")
        subResource = try c.decodeIfPresent(String.self, forKey: .subResource)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        namespace = try c.decodeIfPresent(String.self, forKey: .namespace)
        operation = try c.decode(AdmissionOperation.self, forKey: .operation)
        username = try c.decodeIfPresent(UserInfo.self, forKey: .userInfo)?.username
        dryRun = try c.decodeIfPresent(Bool.self, forKey: .dryRun) ?? false
        object = nil
        oldObject = nil
        // Only CREATE and UPDATE of our subjects are judged; everything else is allowed
        // without looking at the objects at all.
        guard operation == .create || operation == .update else { return }
        let subject = AdmissionSubject(resource: resource, subResource: subResource)
        object = try Self.decodeObject(c, .object, subject)
        oldObject = try Self.decodeObject(c, .oldObject, subject)
    }

    private static func decodeObject(
        _ c: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys,
        _ subject: AdmissionSubject
    ) throws -> AdmissionObject? {
        guard c.contains(key), try !c.decodeNil(forKey: key) else { return nil }
        switch subject {
        case .workload(let kind):
            return .workload(Workload(kind: kind, raw: try c.decode(RawWorkload.self, forKey: key)))
        case .scale:
            return .scale(try c.decode(Scale.self, forKey: key))
        case .horizontalPodAutoscaler:
            return .horizontalPodAutoscaler(try c.decode(HorizontalPodAutoscaler.self, forKey: key))
        case .cronJob:
            return .cronJob(try c.decode(CronJob.self, forKey: key))
        case .job:
            return .job(try c.decode(Job.self, forKey: key))
        case .scaledObject:
            return .scaledObject(try c.decode(ScaledObject.self, forKey: key))
        case .unsupportedKind:
            return .metadata(try c.decode(MetadataOnly.self, forKey: key).metadata ?? ObjectMeta())
        case .notOurs:
            return nil
        }
    }
}

/// An object of which only the metadata is read.
struct MetadataOnly: Decodable {
    var metadata: ObjectMeta?
}

/// Kinds people put the annotation on although kube-singleton does not guard them. The
/// webhook answers them with a warning and lint reports one, until they are supported.
public enum UnsupportedKinds {
    static let all: [(group: String, resource: String, kind: String)] = [("apps", "daemonsets", "DaemonSet")]

    /// The kind for a group and resource, or nil.
    public static func kind(group: String, resource: String) -> String? {
        all.first { $0.group == group && $0.resource == resource }?.kind
    }

    /// The kind for an apiVersion and kind as written in a manifest, or nil.
    public static func kind(apiVersion: String?, kind: String) -> String? {
        all.first { $0.kind == kind && $0.group == groupOf(apiVersion: apiVersion ?? "") }?.kind
    }

    /// The warning for `object` ("CronJob shop/report") carrying the mode annotation.
    public static func warning(kind: String, object: String) -> String {
        let advice = "a DaemonSet runs one pod per node: use a Deployment or StatefulSet for a singleton"
        return
            "\(SingletonAnnotation.mode) has no effect on \(object): kube-singleton guards Deployments, StatefulSets, ReplicaSets, ReplicationControllers, Argo Rollouts, CronJobs and Jobs only; \(advice)."
    }
}

/// Why an HTTP body is not an AdmissionReview we can answer.
public struct ReviewDecodeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request uid, when it could be read: the answer must echo it.
    public var uid: String?
    public var message: String
    public var description: String { message }
}

/// `admission.k8s.io/v1` AdmissionReview: decoding of the request envelope and encoding
/// of the response envelope.
public enum AdmissionReview {
    public static let apiVersion = "admission.k8s.io/v1"

    struct Envelope: Decodable {
        var apiVersion: String?
        var kind: String?
        var request: AdmissionRequest?
    }
    struct UIDProbe: Decodable {
        struct R: Decodable { var uid: String? }
        var request: R?
    }

    /// Decodes the request out of an AdmissionReview body. Errors carry the uid whenever
    /// the document got far enough to show one, so the caller can still answer properly.
    ///
    /// The full model, decoded by the Codable types; a body with a key twice in one object
    /// is refused first (`DuplicateKeys`). The webhook's hot path reads what the rules need
    /// with `ReviewReader` and comes here only when that reader declines.
    public static func decodeRequest(_ data: Data) -> Result<AdmissionRequest, ReviewDecodeError> {
        decodeRequest(bytes: [UInt8](data))
    }

    /// `decodeRequest` over the body's bytes as a server holds them.
    public static func decodeRequest(bytes: [UInt8]) -> Result<AdmissionRequest, ReviewDecodeError> {
        if let duplicate = DuplicateKeys.find(bytes) { return .failure(duplicateKeyError(duplicate)) }
        return decodeRequestCodable(Data(bytes))
    }

    /// The refusal of a body with a key twice in one object (see `DuplicateKeys`).
    static func duplicateKeyError(_ duplicate: DuplicateKeys.Found) -> ReviewDecodeError {
        ReviewDecodeError(
            uid: duplicate.lastRequestUID,
            message:
                "malformed AdmissionReview: key \(quoted(duplicate.key)) appears twice in \(duplicate.path); the API server never sends duplicate keys, and readers disagree on which value counts"
        )
    }

    /// The request uid of a body that is refused before any decision (wrong path, method,
    /// content type or size), for the answer to echo: the same uid `decodeRequest` would
    /// report, success or failure, without decoding the whole request with `JSONDecoder`
    /// when the byte reader cannot read the body (a truncated 7 MiB body was parsed twice).
    public static func requestUID(bytes: [UInt8]) -> String? {
        if let read = ReviewReader.read(bytes) { return read.request.uid }
        if let duplicate = DuplicateKeys.find(bytes), let uid = duplicate.lastRequestUID { return uid }
        return probeUID(Data(bytes))
    }

    /// The uid of a body the Codable types cannot decode, or that `requestUID` was given:
    /// `request.uid` read alone, else a scan of a body that is not JSON at all.
    static func probeUID(_ data: Data) -> String? {
        (try? JSONDecoder().decode(UIDProbe.self, from: data))?.request?.uid ?? scanUID(data)
    }

    /// The reference decoding with `JSONDecoder`: the fallback of the admission path, and what
    /// the differential tests compare the byte reader against.
    static func decodeRequestCodable(_ data: Data) -> Result<AdmissionRequest, ReviewDecodeError> {
        let decoder = JSONDecoder()
        do {
            let env = try decoder.decode(Envelope.self, from: data)
            guard env.kind == "AdmissionReview" else {
                return .failure(
                    .init(
                        uid: env.request?.uid,
                        message: "expected kind AdmissionReview, got \(env.kind.map { quoted($0) } ?? "no kind")"))
            }
            guard env.apiVersion == apiVersion else {
                return .failure(
                    .init(
                        uid: env.request?.uid,
                        message:
                            "unsupported AdmissionReview apiVersion \(env.apiVersion.map { quoted($0) } ?? "(none)"); this webhook speaks \(apiVersion) only (admissionReviewVersions: [\"v1\"])"
                    ))
            }
            guard let request = env.request else {
                return .failure(.init(uid: nil, message: "AdmissionReview has no request"))
            }
            return .success(request)
        } catch {
            return .failure(.init(uid: probeUID(data), message: "malformed AdmissionReview: \(describe(error))"))
        }
    }

    /// Encodes a response AdmissionReview. Keys are sorted so the bytes are stable.
    /// `ResponseWriter` writes the same bytes `JSONEncoder` would, faster; for shapes it
    /// does not handle it returns nil and `JSONEncoder` does the work.
    public static func encodeResponse(_ response: AdmissionResponse) -> Data {
        ResponseWriter.encode(response).map { Data($0) } ?? encodeResponseCodable(response)
    }

    /// `encodeResponse` as bytes, for a server that copies them into its own buffer.
    public static func encodeResponseBytes(_ response: AdmissionResponse) -> [UInt8] {
        ResponseWriter.encode(response) ?? [UInt8](encodeResponseCodable(response))
    }

    /// The reference encoding with `JSONEncoder`.
    static func encodeResponseCodable(_ response: AdmissionResponse) -> Data {
        struct Out: Encodable {
            let apiVersion = AdmissionReview.apiVersion
            let kind = "AdmissionReview"
            let response: AdmissionResponse
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding these plain value types cannot fail.
        return (try? encoder.encode(Out(response: response))) ?? Data()
    }

    /// Best-effort uid extraction from a body that is not valid JSON (truncated, say).
    static func scanUID(_ data: Data) -> String? {
        guard let text = String(data: data.prefix(64 * 1024), encoding: .utf8),
            let req = text.range(of: "\"request\"")
        else { return nil }
        let rest = text[req.upperBound...]
        guard let key = rest.range(of: "\"uid\"") else { return nil }
        var i = rest[key.upperBound...].drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard i.first == ":" else { return nil }
        i = i.dropFirst().drop { $0 == " " || $0 == "\n" || $0 == "\t" || $0 == "\r" }
        guard i.first == "\"" else { return nil }
        i = i.dropFirst()
        guard let end = i.firstIndex(of: "\"") else { return nil }
        let uid = String(i[..<end])
        return uid.isEmpty || uid.count > 128 ? nil : uid
    }

    static func describe(_ error: any Error) -> String {
        switch error as? DecodingError {
        case .dataCorrupted(let ctx)?:
            return path(ctx.codingPath)
                + (ctx.underlyingError.map { "\($0.localizedDescription)" } ?? ctx.debugDescription)
        case .keyNotFound(let key, let ctx)?:
            return path(ctx.codingPath) + "missing field \(quoted(key.stringValue))"
        case .typeMismatch(let type, let ctx)?:
            return path(ctx.codingPath) + "expected \(type)"
        case .valueNotFound(let type, let ctx)?:
            return path(ctx.codingPath) + "expected \(type), found null"
        default:
            return "\(error)"
        }
    }

    private static func path(_ keys: [any CodingKey]) -> String {
        guard !keys.isEmpty else { return "" }
        return keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().dropFirst().description
            + ": "
    }
}

/// `admission.k8s.io/v1` AdmissionResponse.
public struct AdmissionResponse: Sendable, Equatable, Encodable {
    public var uid: String
    public var allowed: Bool
    public var status: ResponseStatus?
    public var warnings: [String]?
    public var auditAnnotations: [String: String]?

    public init(
        uid: String, allowed: Bool, status: ResponseStatus? = nil, warnings: [String]? = nil,
        auditAnnotations: [String: String]? = nil
    ) {
        self.uid = uid
        self.allowed = allowed
        self.status = status
        self.warnings = warnings
        self.auditAnnotations = auditAnnotations
    }

    /// The answer to a body that could not be decoded: a well-formed denial that names
    /// the problem. Never an allow: an unreadable request is not a verdict of "fine".
    public static func malformed(_ error: ReviewDecodeError) -> AdmissionResponse {
        AdmissionResponse(
            uid: error.uid ?? "", allowed: false,
            status: ResponseStatus(code: 400, reason: "BadRequest", message: error.message))
    }
}

/// The `metav1.Status` carried by a response.
public struct ResponseStatus: Sendable, Equatable, Encodable {
    public var code: Int
    public var reason: String
    public var message: String
    public var status: String = "Failure"
    public var metadata: [String: String] = [:]

    public init(code: Int, reason: String, message: String) {
        self.code = code
        self.reason = reason
        self.message = message
    }
}
