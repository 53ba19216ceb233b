import Foundation

/// One admission round trip, bytes in and bytes out, with the parent lookup injected.
///
/// The webhook server and `singleton-webhook review` share this so the offline command
/// decides exactly as the server does.
public struct ReviewOutcome: Sendable {
    /// One box for all of it: an outcome moves from the decision through `ReviewStep` to
    /// the server's answer, and each copy of a dozen strings and arrays cost a retain each.
    private let storage: Storage

    private final class Storage: Sendable {
        let answer: Answer
        let decodeError: ReviewDecodeError?
        let summary: RequestSummary?
        let source: RequestSource

        init(answer: Answer, decodeError: ReviewDecodeError?, summary: RequestSummary?, source: RequestSource) {
            self.answer = answer
            self.decodeError = decodeError
            self.summary = summary
            self.source = source
        }
    }

    /// What the answer is made from: a decision for a request uid, or (when the body could
    /// not be decoded) the response itself. The response is built, and written, from it
    /// only when asked for: the server only wants the bytes.
    private enum Answer: Sendable {
        case decided(AdmissionDecision, uid: String)
        case unreadable(AdmissionResponse)
    }

    /// Where `request` comes from: decoded on the way, or (the workload lane decided
    /// without building it) the body to decode it from.
    private enum RequestSource: Sendable {
        case decoded(AdmissionRequest?)
        case body([UInt8])
    }

    /// A decided request.
    init(decision: AdmissionDecision, request: AdmissionRequest) {
        storage = Storage(
            answer: .decided(decision, uid: request.uid), decodeError: nil,
            summary: RequestSummary(request), source: .decoded(request))
    }

    /// A body that could not be decoded.
    init(unreadable error: ReviewDecodeError) {
        storage = Storage(
            answer: .unreadable(.malformed(error)), decodeError: error, summary: nil, source: .decoded(nil))
    }

    /// An outcome of the workload lane: `request` is decoded from `body` when asked for.
    init(decision: AdmissionDecision, summary: RequestSummary, body: [UInt8]) {
        storage = Storage(
            answer: .decided(decision, uid: summary.uid), decodeError: nil, summary: summary, source: .body(body))
    }

    /// Nil when the body could not be decoded.
    public var decision: AdmissionDecision? {
        if case .decided(let decision, _) = storage.answer { return decision }
        return nil
    }

    public var decodeError: ReviewDecodeError? { storage.decodeError }

    /// The request's own fields, without its objects: what a server logs and counts. Nil
    /// when the body could not be decoded.
    public var summary: RequestSummary? { storage.summary }

    /// The decoded request (nil when the body could not be decoded). After the workload
    /// lane it is decoded now, by the Codable model, which yields what the lane decided on.
    /// (Not through `decodeRequest`: that refuses a key twice anywhere, and the lane takes
    /// bodies with a key twice where the byte reader does not look, labels say.)
    public var request: AdmissionRequest? {
        switch storage.source {
        case .decoded(let request): return request
        case .body(let body): return try? AdmissionReview.decodeRequestCodable(Data(body)).get()
        }
    }

    /// The AdmissionResponse to send.
    public var response: AdmissionResponse {
        switch storage.answer {
        case .decided(let decision, let uid): return decision.response(uid: uid)
        case .unreadable(let response): return response
        }
    }

    public var body: Data { Data(bodyBytes) }
    /// `body` as bytes (no `Data` in between, for a server that copies them into its buffer).
    /// A decision is written straight from its fields, without building `response`.
    public var bodyBytes: [UInt8] {
        switch storage.answer {
        case .decided(let decision, let uid): return ResponseWriter.encode(decision, uid: uid)
        case .unreadable(let response): return AdmissionReview.encodeResponseBytes(response)
        }
    }
}

/// An AdmissionRequest's own fields, without `object` and `oldObject`.
public struct RequestSummary: Sendable, Equatable {
    public var uid: String
    public var resource: GroupVersionResource
    public var subResource: String?
    public var name: String?
    public var namespace: String?
    public var operation: AdmissionOperation
    public var username: String?
    public var dryRun: Bool

    public init(_ request: borrowing AdmissionRequest) {
        uid = request.uid
        resource = request.resource
        subResource = request.subResource
        name = request.name
        namespace = request.namespace
        operation = request.operation
        username = request.username
        dryRun = request.dryRun
    }
}

/// A review that has been decoded and waits for its parent workload: the second half of
/// `SingletonPolicy.begin`. Holding the decoded request lets a server answer from its
/// cache right away and only go asynchronous (an API call) on a miss, without decoding twice.
public struct PendingReview: Sendable {
    public let request: AdmissionRequest
    /// The parent to look up.
    public let reference: ParentReference
    let policy: SingletonPolicy

    /// Decides with what the lookup found.
    public func finish(_ parent: ParentLookup) -> ReviewOutcome {
        policy.outcome(for: request, ref: reference, parent: parent)
    }
}

/// Where a review stands after decoding: decided, or waiting for its parent.
public enum ReviewStep: Sendable {
    case done(ReviewOutcome)
    case needsParent(PendingReview)
}

extension SingletonPolicy {
    /// Decodes `body` and decides it unless the rule needs the parent workload, which
    /// only scale and HPA requests that could raise a singleton above one replica do.
    public func begin(_ body: Data) -> ReviewStep {
        begin(bytes: [UInt8](body))
    }

    /// `begin` over the body's bytes as a server holds them (one copy fewer than `Data`).
    public func begin(bytes body: [UInt8]) -> ReviewStep {
        if let step = laneStep(body) { return step }
        switch AdmissionReview.decodeRequest(bytes: body) {
        case .failure(let error): return .done(.malformed(error))
        case .success(let request): return step(for: request)
        }
    }

    /// A decoded request decided, or waiting for the parent its rule needs.
    func step(for request: AdmissionRequest) -> ReviewStep {
        guard let ref = parentReference(for: request) else {
            return .done(outcome(for: request, ref: nil, parent: nil))
        }
        return .needsParent(PendingReview(request: request, reference: ref, policy: self))
    }

    /// Decodes `body`, looks the parent up through `lookup` only when the request needs
    /// one, decides, and builds the response. Never throws: every failure is an answer.
    public func review(_ body: Data, lookup: (ParentReference) -> ParentLookup) -> ReviewOutcome {
        switch begin(body) {
        case .done(let outcome): return outcome
        case .needsParent(let pending): return pending.finish(lookup(pending.reference))
        }
    }

    /// The same round trip with an asynchronous lookup (a parent cache that may fall back
    /// to an API call on a miss).
    public func review(_ body: Data, lookup: (ParentReference) async -> ParentLookup) async -> ReviewOutcome {
        switch begin(body) {
        case .done(let outcome): return outcome
        case .needsParent(let pending): return pending.finish(await lookup(pending.reference))
        }
    }

    /// The workload lane: the body read by `ReviewReader`. A CREATE or UPDATE of a workload
    /// is decided on the facts read, without building the request's objects; any other
    /// request (a Scale or HPA, read into the model; one of which no object is read) is, as
    /// read, the request the Codable model decodes, and goes on as that one would. Nil when
    /// the reader is not sure: the Codable model then decodes and decides.
    ///
    /// Why: this is the webhook's common request, and building, deciding on and destroying
    /// two full `Workload`s was most of its cost per request. The differential tests hold
    /// the lane to the model's outcome for every body it takes.
    func laneStep(_ body: [UInt8]) -> ReviewStep? {
        var read = ReviewReader.Read()
        guard ReviewReader.read(body, into: &read) else { return nil }
        if ReviewReader.judged(read.request.operation), case .workload = read.request.subject {
            let decision = WorkloadRule.decide(new: read.object, old: read.oldObject, read.request)
                .enforced(enforcement(annotation: read.object?.enforcement))
            return .done(ReviewOutcome(decision: decision, summary: RequestSummary(read.request), body: body))
        }
        return step(for: read.request)
    }

    func outcome(for request: AdmissionRequest, ref: ParentReference?, parent: ParentLookup?) -> ReviewOutcome {
        let decision = decide(request, ref: ref, parent: parent)
        return ReviewOutcome(decision: decision, request: request)
    }
}

extension ReviewOutcome {
    static func malformed(_ error: ReviewDecodeError) -> ReviewOutcome {
        ReviewOutcome(unreadable: error)
    }
}
