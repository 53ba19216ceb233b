/// CREATE and UPDATE of an annotated CronJob: its runs must never overlap, and each run
/// must be one pod.
enum CronJobRule {
    static func decide(_ request: AdmissionRequest) -> AdmissionDecision {
        BatchRule.decide(request, kind: "CronJob", as: { if case .cronJob(let c) = $0 { c } else { nil } }) {
            cron, old, mode, obj in
            var verdict = Verdict(mode: mode)
            let policy = cron.effectiveConcurrencyPolicy
            if !CronJob.acceptedConcurrencyPolicies(for: mode).contains(policy) {
                verdict.deny(.concurrencyPolicy, Messages.cronJobConcurrency(obj(), mode, policy: policy))
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
        BatchRule.decide(request, kind: "Job", as: { if case .job(let j) = $0 { j } else { nil } }) {
            job, old, mode, obj in
            var verdict = Verdict(mode: mode)
            verdict.parallelism(
                job.effectiveParallelism, old: old?.effectiveParallelism, field: "spec.parallelism", obj: obj)
            return verdict.decision
        }
    }
}

/// A batch object's metadata, for the rules' shared part.
protocol BatchObject {
    var metadata: ObjectMeta { get }
}
extension CronJob: BatchObject {}
extension Job: BatchObject {}

/// What the two batch rules share: the object and its old version out of the request, its
/// name for messages, and the contract (`ContractGate`); `judge` gets a valid contract's mode.
enum BatchRule {
    static func decide<Object: BatchObject>(
        _ request: AdmissionRequest, kind: String, as object: (AdmissionObject) -> Object?,
        judge: (Object, Object?, SingletonMode, () -> String) -> AdmissionDecision
    ) -> AdmissionDecision {
        guard let new = request.object.flatMap(object) else {
            return .deny(.malformed, message: "\(kind) \(request.operation.rawValue) request carries no object")
        }
        let old = request.oldObject.flatMap(object)
        let namespace = request.namespace, name = request.name
        func obj() -> String {
            Messages.describe(
                kind, name: new.metadata.name, generateName: new.metadata.generateName,
                namespace: new.metadata.namespace, requestNamespace: namespace, requestName: name)
        }
        switch ContractGate.check(new.metadata.contract, old: { old?.metadata.contract ?? .absent }, obj: obj) {
        case .decided(let decision): return decision
        case .judge(let spec): return judge(new, old, spec.mode, obj)
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
