/// A CronJob, Job or ScaledObject, read into the model: the rules read a handful of their
/// fields, and every field the model decodes is read as the model decodes it.
extension ReviewReader {
    static func job(_ s: inout JSONScanner) throws(Unsupported) -> Job {
        var job = Job(metadata: ObjectMeta())
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .metadata: if try !s.nullOrObject() { try objectMeta(&s, into: &job.metadata) }
            case .spec: if try !s.nullOrObject() { job.spec = try jobSpec(&s) }
            default: try s.skipValue()
            }
        }
        return job
    }

    private static func jobSpec(_ s: inout JSONScanner) throws(Unsupported) -> Job.Spec {
        var spec = Job.Spec()
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            if field == .parallelism { spec.parallelism = try s.optionalInt() } else { try s.skipValue() }
        }
        return spec
    }

    static func cronJob(_ s: inout JSONScanner) throws(Unsupported) -> CronJob {
        var cron = CronJob(metadata: ObjectMeta())
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .metadata: if try !s.nullOrObject() { try objectMeta(&s, into: &cron.metadata) }
            case .spec:
                if try s.nullOrObject() { continue }
                var spec = try s.members()
                while let field = try s.nextMember(&spec) {
                    switch field {
                    case .concurrencyPolicy: cron.spec.concurrencyPolicy = try s.optionalString()
                    case .startingDeadlineSeconds: cron.spec.startingDeadlineSeconds = try s.optionalInt()
                    case .jobTemplate:
                        if try s.nullOrObject() { continue }
                        var template = CronJob.JobTemplate()
                        var fields = try s.members()
                        while let field = try s.nextMember(&fields) {
                            if field == .spec {
                                template.spec = try s.nullOrObject() ? nil : try jobSpec(&s)
                            } else {
                                try s.skipValue()
                            }
                        }
                        cron.spec.jobTemplate = template
                    default: try s.skipValue()
                    }
                }
            default: try s.skipValue()
            }
        }
        return cron
    }

    /// A ScaledObject: `spec` and its `scaleTargetRef.name` are required, as in the model.
    static func scaledObject(_ s: inout JSONScanner) throws(Unsupported) -> ScaledObject {
        var meta = ObjectMeta(), target: ScaledObject.ScaleTarget?, minReplicas: Int?, maxReplicas: Int?
        var sawSpec = false
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .metadata: if try !s.nullOrObject() { try objectMeta(&s, into: &meta) }
            case .spec:
                guard try !s.nullOrObject() else { throw Unsupported() }
                sawSpec = true
                var spec = try s.members()
                while let field = try s.nextMember(&spec) {
                    switch field {
                    case .scaleTargetRef:
                        guard try !s.nullOrObject() else { throw Unsupported() }
                        target = try scaleTarget(&s)
                    case .minReplicaCount: minReplicas = try s.optionalInt()
                    case .maxReplicaCount: maxReplicas = try s.optionalInt()
                    default: try s.skipValue()
                    }
                }
            default: try s.skipValue()
            }
        }
        guard sawSpec else { throw Unsupported() }
        let spec = ScaledObject.Spec(
            scaleTargetRef: try JSONScanner.required(target), minReplicaCount: minReplicas,
            maxReplicaCount: maxReplicas)
        return ScaledObject(metadata: meta, spec: spec)
    }

    private static func scaleTarget(_ s: inout JSONScanner) throws(Unsupported) -> ScaledObject.ScaleTarget {
        var apiVersion: String?, kind: String?, name: String?
        var members = try s.members()
        while let field = try s.nextMember(&members) {
            switch field {
            case .apiVersion: apiVersion = try s.optionalString()
            case .kind: kind = try s.optionalString()
            case .name: name = try s.readString()
            default: try s.skipValue()
            }
        }
        return ScaledObject.ScaleTarget(apiVersion: apiVersion, kind: kind, name: try JSONScanner.required(name))
    }
}
