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
}

extension SingletonPolicy {
    /// Decodes `body`, looks the parent up through `lookup` only when the request needs
    /// one, decides, and builds the response. Never throws: every failure is an answer.
    public func review(_ body: Data, lookup: (ParentReference) -> ParentLookup) -> ReviewOutcome {
        switch AdmissionReview.decodeRequest(body) {
        case .failure(let error):
            return .malformed(error)
        case .success(let request):
            let ref = parentReference(for: request)
            return outcome(for: request, ref: ref, parent: ref.map(lookup))
        }
    }

    /// The same round trip with an asynchronous lookup: the webhook server's, whose parent
    /// cache may fall back to an API call on a miss.
    public func review(_ body: Data, lookup: (ParentReference) async -> ParentLookup) async -> ReviewOutcome {
        switch AdmissionReview.decodeRequest(body) {
        case .failure(let error):
            return .malformed(error)
        case .success(let request):
            let ref = parentReference(for: request)
            var parent: ParentLookup? = nil
            if let ref { parent = await lookup(ref) }
            return outcome(for: request, ref: ref, parent: parent)
        }
    }

    private func outcome(for request: AdmissionRequest, ref: ParentReference?, parent: ParentLookup?) -> ReviewOutcome {
        let decision = decide(request, ref: ref, parent: parent)
        return ReviewOutcome(response: decision.response(uid: request.uid), decision: decision, request: request, decodeError: nil)
    }
}

extension ReviewOutcome {
    static func malformed(_ error: ReviewDecodeError) -> ReviewOutcome {
        ReviewOutcome(response: .malformed(error), decision: nil, request: nil, decodeError: error)
    }
}
