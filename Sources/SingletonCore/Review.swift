import Foundation

/// One admission round trip, bytes in and bytes out, with the parent lookup injected.
///
/// The webhook server and `singleton-webhook review` share this so the offline command
/// decides exactly as the server does.
public struct ReviewOutcome: Sendable {
    public var response: AdmissionResponse
    /// Nil when the body could not be decoded.
    public var decision: AdmissionDecision?
    public var request: AdmissionRequest?
    public var decodeError: ReviewDecodeError?

    public var body: Data { AdmissionReview.encodeResponse(response) }
    /// `body` as bytes (no `Data` in between, for a server that copies them into its buffer).
    public var bodyBytes: [UInt8] { AdmissionReview.encodeResponseBytes(response) }
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
        switch AdmissionReview.decodeRequest(bytes: body) {
        case .failure(let error):
            return .done(.malformed(error))
        case .success(let request):
            guard let ref = parentReference(for: request) else {
                return .done(outcome(for: request, ref: nil, parent: nil))
            }
            return .needsParent(PendingReview(request: request, reference: ref, policy: self))
        }
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

    func outcome(for request: AdmissionRequest, ref: ParentReference?, parent: ParentLookup?) -> ReviewOutcome {
        let decision = decide(request, ref: ref, parent: parent)
        return ReviewOutcome(response: decision.response(uid: request.uid), decision: decision, request: request, decodeError: nil)
    }
}

extension ReviewOutcome {
    static func malformed(_ error: ReviewDecodeError) -> ReviewOutcome {
        ReviewOutcome(response: .malformed(error), decision: nil, request: nil, decodeError: error)
    }
}
