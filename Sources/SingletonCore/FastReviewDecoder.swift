import Foundation

/// The fast path of `AdmissionReview.decodeRequest`: reads the request straight from the
/// body's bytes with `JSONScanner` and returns nil whenever it is not certain to produce
/// exactly what the Codable path would (malformed JSON, wrong envelope, unexpected types,
/// a field seen twice, ...). The caller then runs the Codable path, so errors, their messages
/// and every edge case stay as they were; only well-formed reviews take this path.
enum FastReviewDecoder {
    typealias Unsupported = JSONScanner.Unsupported

    static func decode(_ bytes: [UInt8]) -> AdmissionRequest? {
        var request = AdmissionRequest(uid: "", resource: GroupVersionResource(group: "", version: "", resource: ""),
                                       operation: .other(""))
        var objects = Objects<FullObjects>()
        guard decode(bytes, into: &request, objects: &objects) else { return nil }
        request.object = objects.object
        request.oldObject = objects.oldObject
        return request
    }

    /// The request without its objects, and its objects read the way `R` reads them.
    /// False when the fast path cannot read the body (the caller falls back).
    static func decode<R: ObjectReading>(_ bytes: [UInt8], into request: inout AdmissionRequest,
                                         objects: inout Objects<R>) -> Bool {
        guard var s = JSONScanner(bytes) else { return false }
        // Read in place: returning the request up through the throwing readers copied it.
        do {
            try envelope(&s, into: &request, objects: &objects)
        } catch {
            return false
        }
        s.skipWhitespace()
        return s.atEnd
    }

    /// A request's `object` and `oldObject` as `R` reads them.
    struct Objects<R: ObjectReading> {
        var object: R.Object?
        var oldObject: R.Object?
    }

    private static func envelope<R>(_ s: inout JSONScanner, into request: inout AdmissionRequest,
                                    objects: inout Objects<R>) throws(Unsupported) {
        var apiVersion: String?, kind: String?, sawRequest = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .apiVersion: apiVersion = try s.optionalString()
            case .kind: kind = try s.optionalString()
            case .request:
                sawRequest = true  // and not null: `admissionRequest` requires an object
                try admissionRequest(&s, into: &request, objects: &objects)
            default: try s.skipValue()
            }
        }
        guard kind == "AdmissionReview", apiVersion == AdmissionReview.apiVersion, sawRequest else { throw Unsupported() }
    }

    private static func admissionRequest<R>(_ s: inout JSONScanner, into request: inout AdmissionRequest,
                                            objects: inout Objects<R>) throws(Unsupported) {
        // Fields go straight into `request` (which starts with the defaults of an absent
        // field): with locals copied in at the end, this function was 60% larger.
        var sawUID = false, sawResource = false, operation: AdmissionOperation?
        // Which type the objects are depends on `resource`, `subResource` and `operation`,
        // which may come later in the document. The API server writes them first, so the
        // objects are read as they come, as the subject known so far; when the final
        // subject differs (or was not known yet) they are read again from their offsets.
        var object = PendingObject<R>(), oldObject = PendingObject<R>()
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .uid: request.uid = try s.readString(); sawUID = true
            case .kind: request.kind = try s.nullOrObject() ? nil : try gvk(&s)
            case .resource: if try !s.nullOrObject() { request.resource = try gvr(&s); sawResource = true }
            case .subResource: request.subResource = try s.optionalString()
            case .name: request.name = try s.optionalString()
            case .namespace: request.namespace = try s.optionalString()
            case .operation: operation = Self.operation(try s.readString())
            case .userInfo:
                if try s.nullOrObject() { continue }
                var user = try s.members()
                while let field = try s.nextMember(&user) {
                    if field == .username { request.username = try s.optionalString() } else { try s.skipValue() }
                }
            case .dryRun: request.dryRun = try s.optionalBool() ?? false
            case .object, .oldObject:
                if try s.readNull() { continue }
                var guess: AdmissionSubject?
                if sawResource, operation.map(Self.judged) ?? true {
                    // A subResource written after the objects is only guessed at (from the
                    // request's kind); a wrong guess costs a second read, nothing more.
                    let kind = request.kind
                    let sub = request.subResource ?? (kind?.kind == "Scale" && kind?.group == "autoscaling" ? "scale" : nil)
                    guess = AdmissionSubject(resource: request.resource, subResource: sub)
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
        request.operation = operation
        guard Self.judged(operation) else { return }
        let end = s.pos
        let subject = request.subject
        objects.object = try object.value(&s, as: subject)
        objects.oldObject = try oldObject.value(&s, as: subject)
        s.seek(end)
    }

    /// Only CREATE and UPDATE requests have their objects read (as the Codable path does).
    private static func judged(_ operation: AdmissionOperation) -> Bool {
        operation == .create || operation == .update
    }

    /// An `object` or `oldObject` member: where it is, and what it was read as, if it was.
    private struct PendingObject<R: ObjectReading> {
        var offset: Int?
        var readAs: AdmissionSubject?
        var decoded: R.Object?

        /// Records the object at the scanner's position and consumes it: read as `subject`
        /// when there is a guess, else skipped. When it does not read as the guessed type
        /// it is skipped too: the final subject may differ.
        @inline(never)
        mutating func read(_ s: inout JSONScanner, as subject: AdmissionSubject?) throws(Unsupported) {
            let start = s.pos
            offset = start
            guard let subject else { return try s.skipValue() }
            do {
                decoded = try R.read(&s, subject)
                readAs = subject
            } catch {
                s.seek(start)
                try s.skipValue()
            }
        }

        /// The object as `subject`: the early read when it was read as that, else read now.
        @inline(never)
        mutating func value(_ s: inout JSONScanner, as subject: AdmissionSubject) throws(Unsupported) -> R.Object? {
            guard let offset else { return nil }
            if readAs == subject { return decoded.take() }
            s.seek(offset)
            return try R.read(&s, subject)
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

    /// Reads the object at the scanner's position as the type `subject` calls for (nil,
    /// skipped, for requests that are not ours).
    fileprivate static func object(_ s: inout JSONScanner, _ subject: AdmissionSubject) throws(Unsupported) -> AdmissionObject? {
        switch subject {
        case .workload(let kind):
            var workload = Workload(kind: kind, metadata: ObjectMeta())
            try FastObjectDecoder.workload(&s, into: &workload)
            return .workload(workload)
        case .scale: return .scale(try scale(&s))
        case .horizontalPodAutoscaler: return .horizontalPodAutoscaler(try hpa(&s))
        // Rare (matchConditions send only annotated ones): the Codable path reads them.
        case .unsupportedKind: throw Unsupported()
        case .notOurs: try s.skipValue(); return nil
        }
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
    private static func groupVersionAnd(_ third: JSONField, _ s: inout JSONScanner) throws(Unsupported) -> (String, String, String) {
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

    private static func scale(_ s: inout JSONScanner) throws(Unsupported) -> Scale {
        var meta = ObjectMeta(), replicas: Int?, status: Scale.Status?
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .metadata: try FastObjectDecoder.optionalObjectMeta(&s, into: &meta)
            case .spec:
                if try s.nullOrObject() { continue }
                var spec = try s.members()
                while let field = try s.nextMember(&spec) {
                    if field == .replicas { replicas = try s.optionalInt() } else { try s.skipValue() }
                }
            case .status:
                if try s.nullOrObject() { continue }
                var st = Scale.Status()
                var fields = try s.members()
                while let field = try s.nextMember(&fields) {
                    switch field {
                    case .replicas: st.replicas = try s.optionalInt()
                    case .selector: st.selector = try s.optionalString()
                    default: try s.skipValue()
                    }
                }
                status = st
            default: try s.skipValue()
            }
        }
        return Scale(metadata: meta, replicas: replicas, status: status)
    }

    private static func hpa(_ s: inout JSONScanner) throws(Unsupported) -> HorizontalPodAutoscaler {
        var meta = ObjectMeta(), target: CrossVersionObjectReference?, minReplicas: Int?, maxReplicas: Int?
        var sawSpec = false, sawMeta = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .metadata:
                sawMeta = true  // required, and not null
                try FastObjectDecoder.objectMeta(&s, into: &meta)
            case .spec:
                sawSpec = true
                var spec = try s.members()
                while let field = try s.nextMember(&spec) {
                    switch field {
                    case .scaleTargetRef: target = try crossVersionReference(&s)
                    case .minReplicas: minReplicas = try s.optionalInt()
                    case .maxReplicas: maxReplicas = try s.readInt()
                    default: try s.skipValue()
                    }
                }
            default: try s.skipValue()
            }
        }
        guard sawSpec, sawMeta else { throw Unsupported() }
        let spec = HorizontalPodAutoscaler.Spec(scaleTargetRef: try JSONScanner.required(target), minReplicas: minReplicas,
                                                maxReplicas: try JSONScanner.required(maxReplicas))
        return HorizontalPodAutoscaler(metadata: meta, spec: spec)
    }

    private static func crossVersionReference(_ s: inout JSONScanner) throws(Unsupported) -> CrossVersionObjectReference {
        var apiVersion: String?, kind: String?, name: String?
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .apiVersion: apiVersion = try s.optionalString()
            case .kind: kind = try s.readString()
            case .name: name = try s.readString()
            default: try s.skipValue()
            }
        }
        return CrossVersionObjectReference(apiVersion: apiVersion, kind: try JSONScanner.required(kind), name: try JSONScanner.required(name))
    }
}

/// How `FastReviewDecoder` reads a request's objects once it knows what they are.
protocol ObjectReading {
    associatedtype Object
    /// The object at the scanner's position, read as `subject` calls for.
    static func read(_ s: inout JSONScanner, _ subject: AdmissionSubject) throws(JSONScanner.Unsupported) -> Object?
}

/// Into the model: `Workload`, `Scale`, `HorizontalPodAutoscaler` (the full request).
enum FullObjects: ObjectReading {
    static func read(_ s: inout JSONScanner, _ subject: AdmissionSubject) throws(JSONScanner.Unsupported) -> AdmissionObject? {
        try FastReviewDecoder.object(&s, subject)
    }
}

/// A request's object as the workload lane reads it: a workload as `WorkloadFacts` (what the
/// rule reads), anything else (a Scale, an HPA) into the model, as `FullObjects` does.
enum LaneObject {
    case facts(WorkloadFacts)
    case full(AdmissionObject)

    /// Consuming: the lane moves its objects out instead of copying them.
    consuming func facts() -> WorkloadFacts? {
        if case .facts(let facts) = consume self { return facts }
        return nil
    }

    consuming func full() -> AdmissionObject? {
        if case .full(let object) = consume self { return object }
        return nil
    }
}

/// Workloads as facts, every other subject into the model: so a Scale or HPA review that
/// goes on to its parent lookup is decoded once, in the same pass.
enum LaneObjects: ObjectReading {
    static func read(_ s: inout JSONScanner, _ subject: AdmissionSubject) throws(JSONScanner.Unsupported) -> LaneObject? {
        guard case .workload(let kind) = subject else { return try FastReviewDecoder.object(&s, subject).map(LaneObject.full) }
        var facts = WorkloadFacts(kind: kind)
        try FactsReader.workload(&s, into: &facts)
        return .facts(facts)
    }
}
