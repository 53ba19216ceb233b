/// The admission path's one byte reader: an AdmissionReview's bytes, read with `JSONScanner`,
/// into what the rules read: the request's own fields, a workload as `WorkloadFacts`, a Scale
/// or HPA into the model. Every other field the Codable model decodes is type-checked
/// without being built.
///
/// The Codable model (`AdmissionReview.decodeRequestCodable`) is the full model and the
/// reference: whatever this reader takes, the model decodes, and `Read(model)` equals what
/// was read (the differential tests and the review fuzz target hold them to that through
/// `ReviewAgreement`). Whenever the reader is not sure (malformed JSON, a wrong envelope, an
/// unexpected type, a field it reads seen twice, ...) it returns nil and the model decides,
/// with its errors and messages. A field the rules come to read is added in two places: here,
/// and in the model (for a workload, with `WorkloadFacts(_:)`); the differential tests fail
/// until the two agree.
///
/// Why: decoding with `JSONDecoder` was about half of the webhook's CPU per request, and
/// building two full workloads for a rule that reads a dozen values most of the rest.
enum ReviewReader {
    typealias Unsupported = JSONScanner.Unsupported

    /// A review as the reader reads it.
    struct Read: Equatable {
        /// The request's own fields; `object` and `oldObject` for a Scale or HPA only.
        var request = AdmissionRequest(
            uid: "", resource: GroupVersionResource(group: "", version: "", resource: ""),
            operation: .other(""))
        /// A workload's `object` and `oldObject`, as the rule reads them.
        var object: WorkloadFacts?
        var oldObject: WorkloadFacts?

        init() {}

        /// What the reader reads of a request of the Codable model: its workloads as facts.
        init(_ model: AdmissionRequest) {
            request = model
            if case .workload(let workload)? = model.object {
                object = WorkloadFacts(workload)
                request.object = nil
            }
            if case .workload(let workload)? = model.oldObject {
                oldObject = WorkloadFacts(workload)
                request.oldObject = nil
            }
        }
    }

    /// Reads the review in `bytes` into `read` (which starts as `Read()`). False when the
    /// reader is not certain to read it as the Codable model does: the caller then decodes
    /// it with the model.
    static func read(_ bytes: [UInt8], into read: inout Read) -> Bool {
        guard var s = JSONScanner(bytes) else { return false }
        // Read in place: returning the request up through the throwing readers copied it.
        do {
            try envelope(&s, into: &read)
        } catch {
            return false
        }
        s.skipWhitespace()
        return s.atEnd
    }

    /// The review in `bytes`, or nil when the reader declines it.
    static func read(_ bytes: [UInt8]) -> Read? {
        var read = Read()
        return Self.read(bytes, into: &read) ? read : nil
    }

    private static func envelope(_ s: inout JSONScanner, into read: inout Read) throws(Unsupported) {
        var apiVersion: String?, kind: String?, sawRequest = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .apiVersion: apiVersion = try s.optionalString()
            case .kind: kind = try s.optionalString()
            case .request:
                sawRequest = true  // and not null: `admissionRequest` requires an object
                try admissionRequest(&s, into: &read)
            default: try s.skipValue()
            }
        }
        guard kind == "AdmissionReview", apiVersion == AdmissionReview.apiVersion, sawRequest else {
            throw Unsupported()
        }
    }

    private static func admissionRequest(_ s: inout JSONScanner, into read: inout Read) throws(Unsupported) {
        // Fields go straight into the request (which starts with the defaults of an absent
        // field): with locals copied in at the end, this function was 60% larger.
        var sawUID = false, sawResource = false, operation: AdmissionOperation?
        // Which type the objects are depends on `resource`, `subResource` and `operation`,
        // which may come later in the document. The API server writes them first, so the
        // objects are read as they come, as the subject known so far; when the final
        // subject differs (or was not known yet) they are read again from their offsets.
        var object = PendingObject(), oldObject = PendingObject()
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .uid: read.request.uid = try s.readString(); sawUID = true
            case .kind: read.request.kind = try s.nullOrObject() ? nil : try gvk(&s)
            case .resource: if try !s.nullOrObject() { read.request.resource = try gvr(&s); sawResource = true }
            case .subResource: read.request.subResource = try s.optionalString()
            case .name: read.request.name = try s.optionalString()
            case .namespace: read.request.namespace = try s.optionalString()
            case .operation: operation = Self.operation(try s.readString())
            case .userInfo:
                if try s.nullOrObject() { continue }
                var user = try s.members()
                while let field = try s.nextMember(&user) {
                    if field == .username { read.request.username = try s.optionalString() } else { try s.skipValue() }
                }
            case .dryRun: read.request.dryRun = try s.optionalBool() ?? false
            case .object, .oldObject:
                if try s.readNull() { continue }
                var guess: AdmissionSubject?
                if sawResource, operation.map(Self.judged) ?? true {
                    // A subResource written after the objects is only guessed at (from the
                    // request's kind); a wrong guess costs a second read, nothing more.
                    let kind = read.request.kind
                    let sub =
                        read.request.subResource
                        ?? (kind?.kind == "Scale" && kind?.group == "autoscaling" ? "scale" : nil)
                    guess = AdmissionSubject(resource: read.request.resource, subResource: sub)
                }
                // Read in place (assigning a PendingObject copied the object it held).
                if field == .object {
                    try object.read(&s, as: guess)
                } else {
                    try oldObject.read(&s, as: guess)
                }
            default: try s.skipValue()
            }
        }
        guard sawUID, let operation else { throw Unsupported() }
        read.request.operation = operation
        guard Self.judged(operation) else { return }
        let end = s.pos
        let subject = read.request.subject
        try object.finish(&s, as: subject, facts: &read.object, model: &read.request.object)
        try oldObject.finish(&s, as: subject, facts: &read.oldObject, model: &read.request.oldObject)
        s.seek(end)
    }

    /// Only CREATE and UPDATE requests have their objects read (as the Codable model does).
    static func judged(_ operation: AdmissionOperation) -> Bool {
        operation == .create || operation == .update
    }

    /// An `object` or `oldObject` member: where it is, and what it was read as, if it was.
    private struct PendingObject {
        var offset: Int?
        var readAs: AdmissionSubject?
        /// What it was read as: a workload's facts, or a Scale or HPA.
        var facts: WorkloadFacts?
        var model: AdmissionObject?

        /// Records the object at the scanner's position and consumes it: read as `subject`
        /// when there is a guess, else skipped. When it does not read as the guessed type
        /// it is skipped too: the final subject may differ.
        @inline(never)
        mutating func read(_ s: inout JSONScanner, as subject: AdmissionSubject?) throws(Unsupported) {
            let start = s.pos
            offset = start
            guard let subject else { return try s.skipValue() }
            do {
                try ReviewReader.object(&s, subject, facts: &facts, model: &model)
                readAs = subject
            } catch {
                facts = nil
                model = nil
                s.seek(start)
                try s.skipValue()
            }
        }

        /// The object as `subject`, moved into `facts` or `model`: the early read when it was
        /// read as that, else read now.
        @inline(never)
        mutating func finish(
            _ s: inout JSONScanner, as subject: AdmissionSubject, facts: inout WorkloadFacts?,
            model: inout AdmissionObject?
        ) throws(Unsupported) {
            guard let offset else { return }
            if readAs == subject {
                facts = self.facts.take()
                model = self.model.take()
                return
            }
            s.seek(offset)
            try ReviewReader.object(&s, subject, facts: &facts, model: &model)
        }
    }

    /// Reads the object at the scanner's position as `subject` calls for: a workload into
    /// `facts`, a Scale or HPA into `model` (both left nil, the object skipped, for requests
    /// that are not ours).
    private static func object(
        _ s: inout JSONScanner, _ subject: AdmissionSubject, facts: inout WorkloadFacts?,
        model: inout AdmissionObject?
    ) throws(Unsupported) {
        switch subject {
        case .workload(let kind):
            facts = WorkloadFacts(kind: kind)
            try workload(&s, into: &facts!)
        case .scale: model = .scale(try scale(&s))
        case .horizontalPodAutoscaler: model = .horizontalPodAutoscaler(try hpa(&s))
        case .cronJob: model = .cronJob(try cronJob(&s))
        case .job: model = .job(try job(&s))
        case .scaledObject: model = .scaledObject(try scaledObject(&s))
        // Rare (matchConditions send only annotated ones): the Codable model reads them.
        case .unsupportedKind: throw Unsupported()
        case .notOurs: try s.skipValue()
        }
    }

    /// `==` on these short ASCII strings compares their inline bits; a `switch` over
    /// strings went through the standard library's generic case search.
    private static func operation(_ s: String) -> AdmissionOperation {
        if s == "UPDATE" { return .update }
        if s == "CREATE" { return .create }
        if s == "DELETE" { return .delete }
        if s == "CONNECT" { return .connect }
        return .other(s)
    }

    private static func gvk(_ s: inout JSONScanner) throws(Unsupported) -> GroupVersionKind {
        let (g, v, k) = try groupVersionAnd(.kind, &s)
        return GroupVersionKind(group: g, version: v, kind: k)
    }

    private static func gvr(_ s: inout JSONScanner) throws(Unsupported) -> GroupVersionResource {
        let (g, v, r) = try groupVersionAnd(.resource, &s)
        return GroupVersionResource(group: g, version: v, resource: r)
    }

    /// `group`, `version` and `third` (`kind` or `resource`), each `""` when absent: one
    /// reader for both shapes, so a review runs its code once.
    private static func groupVersionAnd(
        _ third: JSONField, _ s: inout JSONScanner
    ) throws(Unsupported) -> (String, String, String) {
        var g: String?, v: String?, t: String?
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .group: g = try s.optionalString()
            case .version: v = try s.optionalString()
            case third: t = try s.optionalString()
            default: try s.skipValue()
            }
        }
        return (g ?? "", v ?? "", t ?? "")
    }
}
