import Foundation

/// The webhook reads a review with the byte reader (`ReviewReader`, the workload lane), and
/// when it declines, with the Codable model, which is the reference. The verdict must not
/// depend on which path took the body, so on every body the reader takes it must read what
/// the model decodes, and the lane reach the model's request, decision and answer bytes. The
/// differential tests and the review fuzz target both hold the paths to that through `check`;
/// it records what differs instead of trapping, so a test names every difference and the fuzz
/// target decides what stops it.
enum ReviewAgreement {
    /// A parent lookup outcome and a policy to review a body under.
    struct Setting: Sendable {
        var name: String
        var policy: SingletonPolicy
        var lookup: @Sendable (ParentReference) -> ParentLookup
    }

    /// Every lookup outcome (a singleton parent, one in warn, none, the API down) under both
    /// policies for a parent that cannot be verified and both cluster enforcements.
    static let settings: [Setting] = {
        let parent = ObjectMeta(
            name: "web", namespace: "default", uid: "uid-web",
            annotations: [SingletonAnnotation.mode: "at-most-one"])
        let warned = ObjectMeta(
            name: "web", namespace: "default", uid: "uid-web",
            annotations: [SingletonAnnotation.mode: "at-most-one", SingletonAnnotation.enforcement: "warn"])
        let lookups: [(String, @Sendable (ParentReference) -> ParentLookup)] = [
            ("found", { _ in .found(parent) }), ("found in warn", { _ in .found(warned) }),
            ("notFound", { _ in .notFound }), ("unavailable", { _ in .unavailable("api down") }),
        ]
        return lookups.flatMap { name, lookup in
            [UnverifiedParentPolicy.allow, .deny].flatMap { unverified in
                Enforcement.allCases.map { enforcement in
                    Setting(
                        name: "lookup \(name), unverified \(unverified), enforcement \(enforcement)",
                        policy: SingletonPolicy(unverifiedParent: unverified, enforcement: enforcement),
                        lookup: lookup)
                }
            }
        }
    }()

    /// What `check` found for one body.
    struct Report: Sendable {
        /// Whether the byte reader took the body (it defers with nil when unsure).
        var read = false
        /// Each way a path differs from the reference; empty when all agree.
        var disagreements: [String] = []
    }

    /// Reads `body` by every path and reviews it under each of `settings`.
    static func check(_ body: Data, settings: some Sequence<Setting> = settings) -> Report {
        var report = Report()
        let bytes = [UInt8](body)
        let codable = AdmissionReview.decodeRequestCodable(body)
        if let read = ReviewReader.read(bytes) {
            report.read = true
            switch codable {
            case .success(let model):
                if read != ReviewReader.Read(model) {
                    report.disagreements.append("the byte reader's reading is not the Codable model's")
                }
            case .failure:
                report.disagreements.append("the byte reader took a body the Codable model rejects")
            }
        }
        report.disagreements += checkLane(body, codable)
        // What `review` answers: the reader's reading when it takes the body (a key twice is
        // then one it does not read), else the model's, which refuses a key twice anywhere.
        var reference = codable
        if !report.read, let duplicate = DuplicateKeys.find(bytes) {
            reference = .failure(AdmissionReview.duplicateKeyError(duplicate))
        }
        for setting in settings {
            let policy = setting.policy
            let outcome = policy.review(body, lookup: setting.lookup)
            let expected: AdmissionResponse
            var differs: [String] = []
            switch reference {
            case .failure(let error):
                // Both went through JSONDecoder; its messages may name a different bad key
                // of the same map from one decode to the next, so compare the uid.
                if outcome.decision != nil { differs.append("decided a body the Codable model rejects") }
                if outcome.decodeError?.uid != error.uid {
                    differs.append(
                        "decode error uid \(String(describing: outcome.decodeError?.uid)), Codable \(String(describing: error.uid))"
                    )
                }
                expected = outcome.response
            case .success(let request):
                let decision = policy.decide(request, parent: policy.parentReference(for: request).map(setting.lookup))
                if outcome.decision != decision {
                    differs.append("decision \(String(describing: outcome.decision)), Codable \(decision)")
                }
                expected = decision.response(uid: request.uid)
            }
            if outcome.response != expected { differs.append("response differs") }
            if outcome.body != AdmissionReview.encodeResponseCodable(expected) {
                differs.append("response bytes differ from JSONEncoder's")
            }
            report.disagreements += differs.map { "\(setting.name): \($0)" }
        }
        return report
    }

    /// The workload lane against the reference: when it takes a body, that body decodes, and
    /// the lane's step is the full path's: the same summary, request, decision and answer
    /// bytes when decided, the same request and parent when a parent is needed.
    static func checkLane(_ body: Data, _ reference: Result<AdmissionRequest, ReviewDecodeError>) -> [String] {
        let policy = SingletonPolicy()
        guard let step = policy.laneStep([UInt8](body)) else { return [] }
        guard case .success(let request) = reference else {
            return ["the lane took a body the Codable model rejects"]
        }
        var differs: [String] = []
        switch step {
        case .needsParent(let pending):
            if pending.request != request { differs.append("lane request") }
            if pending.reference != policy.parentReference(for: request) { differs.append("lane parent") }
        case .done(let lane):
            if policy.parentReference(for: request) != nil {
                differs.append("the lane decided where the full path looks up a parent")
            }
            let decision = policy.decide(request)
            if lane.summary != RequestSummary(request) { differs.append("lane summary") }
            if lane.request != request { differs.append("lane request") }
            if lane.decision != decision { differs.append("lane decision") }
            if lane.decodeError != nil { differs.append("lane decode error") }
            if lane.body != AdmissionReview.encodeResponseCodable(decision.response(uid: request.uid)) {
                differs.append("lane answer bytes")
            }
        }
        return differs
    }
}
