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
            return ReviewOutcome(response: .malformed(error), decision: nil, request: nil, decodeError: error)
        case .success(let request):
            let parent = parentReference(for: request).map(lookup)
            let decision = decide(request, parent: parent)
            return ReviewOutcome(response: decision.response(uid: request.uid), decision: decision, request: request, decodeError: nil)
        }
    }
}
