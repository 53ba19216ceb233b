/// CREATE and UPDATE of an annotated CronJob: its runs must never overlap, and each run
/// must be one pod.
enum CronJobRule {
    static func decide(_ request: AdmissionRequest) -> AdmissionDecision {
        guard case .cronJob(let cron)? = request.object else {
            return .deny(.malformed, message: "CronJob \(request.operation.rawValue) request carries no object")
        }
        var old: CronJob? = nil
        if case .cronJob(let o)? = request.oldObject { old = o }
        let namespace = request.namespace, name = request.name
        func obj() -> String {
            Messages.describe(
                "CronJob", name: cron.metadata.name, generateName: cron.metadata.generateName,
                namespace: cron.metadata.namespace, requestNamespace: namespace, requestName: name)
        }
        switch ContractGate.check(cron.metadata.contract, old: { old?.metadata.contract ?? .absent }, obj: obj) {
        case .decided(let decision): return decision
        case .judge(let spec):
            var verdict = Verdict(mode: spec.mode)
            let policy = cron.effectiveConcurrencyPolicy
            if !CronJob.acceptedConcurrencyPolicies(for: spec.mode).contains(policy) {
                verdict.deny(
                    .concurrencyPolicy,
                    Messages.cronJobConcurrency(obj(), spec.mode, policy: policy))
            }
            verdict.parallelism(
                cron.effectiveParallelism, old: old?.effectiveParallelism, field: "spec.jobTemplate.spec.parallelism",
                obj: obj)
            if cron.spec.startingDeadlineSeconds == nil { verdict.warnings.append(Messages.noStartingDeadline(obj())) }
            return verdict.decision
        }
    }
}

/// CREATE and UPDATE of an annotated Job: one pod at a time.
enum JobRule {
    static func decide(_ request: AdmissionRequest) -> AdmissionDecision {
        guard case .job(let job)? = request.object else {
            return .deny(.malformed, message: "Job \(request.operation.rawValue) request carries no object")
        }
        var old: Job? = nil
        if case .job(let o)? = request.oldObject { old = o }
        let namespace = request.namespace, name = request.name
        func obj() -> String {
            Messages.describe(
                "Job", name: job.metadata.name, generateName: job.metadata.generateName,
                namespace: job.metadata.namespace, requestNamespace: namespace, requestName: name)
        }
        switch ContractGate.check(job.metadata.contract, old: { old?.metadata.contract ?? .absent }, obj: obj) {
        case .decided(let decision): return decision
        case .judge(let spec):
            var verdict = Verdict(mode: spec.mode)
            verdict.parallelism(
                job.effectiveParallelism, old: old?.effectiveParallelism, field: "spec.parallelism", obj: obj)
            return verdict.decision
        }
    }
}

/// What a batch rule found: each violation's message (all of them in one denial, so one
/// round of fixes suffices) and its warnings.
private struct Verdict {
    var mode: SingletonMode
    var rule: DecisionRule?
    var messages: [String] = []
    var warnings: [String] = []

    init(mode: SingletonMode) { self.mode = mode }

    mutating func deny(_ rule: DecisionRule, _ message: String) {
        if self.rule == nil { self.rule = rule }
        messages.append(message)
    }

    /// Parallelism above 1 is denied, unless it went down in this change (a move toward
    /// compliance is never blocked; a warning says what is still wrong).
    mutating func parallelism(_ value: Int, old: Int?, field: String, obj: () -> String) {
        guard value > 1 else { return }
        if let old, old > value {
            warnings.append(Messages.parallelismStillAbove(obj(), field: field, value: value))
        } else {
            deny(.parallelism, Messages.parallelism(obj(), mode, field: field, value: value))
        }
    }

    var decision: AdmissionDecision {
        guard let rule else { return .allow(.compliant, mode: mode, warnings: warnings) }
        return .deny(rule, mode: mode, message: messages.joined(separator: " "), warnings: warnings)
    }
}
