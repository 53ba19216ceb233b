import Foundation
import KubeAPIMachinery
import KubeCertificates
import SingletonCore

/// One `doctor` finding: what was checked, how it stands, and the fix.
public struct DoctorFinding: Sendable, Equatable {
    public enum Status: String, Sendable { case ok = "OK", warning = "WARN", failure = "FAIL", unknown = "UNKNOWN" }
    public var check: String
    public var status: Status
    public var detail: String
    public var fix: String?
}

/// What `doctor` read from the cluster (I/O done by the command; judging here is pure).
public struct DoctorInputs: Sendable {
    public var webhookConfiguration: JSONValue?
    public var tlsSecret: JSONValue?
    public var endpoints: JSONValue?
    public var installNamespace: String
    /// `verb resource` -> allowed, from SelfSubjectAccessReviews.
    public var access: [(String, Bool)]
    public var now: Date
    /// Why the webhook configuration could not be read (not a 404): unreachable, 401, 403.
    public var configurationError: KubeAPIError?
    /// Why the TLS Secret could not be read (not a 404).
    public var secretError: KubeAPIError?
    /// Ready addresses in the Service's EndpointSlices (when the Endpoints have none).
    public var endpointSliceAddresses = 0
    /// The dry-run review sent through the API server when no endpoint is visible.
    public var probe: WebhookProbe?

    public init(
        webhookConfiguration: JSONValue?, tlsSecret: JSONValue?, endpoints: JSONValue?, installNamespace: String,
        access: [(String, Bool)], now: Date
    ) {
        self.webhookConfiguration = webhookConfiguration
        self.tlsSecret = tlsSecret
        self.endpoints = endpoints
        self.installNamespace = installNamespace
        self.access = access
        self.now = now
    }
}

/// What a dry-run create of an annotated 2-replica Deployment, sent through the API server,
/// showed: the API server calls the webhook as for any request (TLS verified against the
/// caBundle), so a denial by our webhook proves the whole path answers.
public enum WebhookProbe: Sendable, Equatable {
    /// Denied by our workloads webhook.
    case answered
    /// The API server could not call it (the message says why: TLS, connection, timeout).
    case failed(String)
    /// Allowed: the configuration did not send the request to the webhook.
    case notCalled(String)
    /// The probe itself could not be sent (RBAC, missing namespace).
    case unknown(String)
}

/// The checks `doctor` runs, pure over what was read, so each finding and fix is tested on real objects.
public enum DoctorChecks {
    /// The plugin's own verbs, checked with SelfSubjectAccessReviews.
    public static let pluginVerbs: [(verb: String, group: String, resource: String)] = [
        ("get", "apps", "deployments"), ("patch", "apps", "deployments"), ("patch", "apps", "statefulsets"),
        ("list", "", "pods"), ("create", "policy", "poddisruptionbudgets"),
        ("delete", "policy", "poddisruptionbudgets"),
        ("create", "", "services"), ("delete", "", "services"), ("list", "coordination.k8s.io", "leases"),
        ("list", "autoscaling", "horizontalpodautoscalers"),
    ]

    /// Every finding, in the order a person fixing the installation would go through them.
    public static func run(_ inputs: DoctorInputs) -> [DoctorFinding] {
        var findings: [DoctorFinding] = []
        if let failure = inputs.configurationError {
            // An error is not an absence: never advise installing on it.
            return [apiFailure(failure, reading: "validatingwebhookconfigurations.admissionregistration.k8s.io")]
                + access(inputs)
        }
        guard let config = inputs.webhookConfiguration else {
            findings.append(
                DoctorFinding(
                    check: "webhook configuration", status: .failure,
                    detail: "ValidatingWebhookConfiguration kube-singleton not found: nothing enforces the annotation",
                    fix: "kubectl singleton install"))
            return findings + access(inputs)
        }
        let hooks = config["webhooks"]?.arrayValue ?? []
        findings.append(
            DoctorFinding(
                check: "webhook configuration", status: .ok, detail: "\(config.name) with \(hooks.count) webhooks",
                fix: nil))
        findings += certificates(hooks, inputs)

        findings.append(endpoints(inputs))

        for hook in hooks {
            let name = hook["name"]?.stringValue ?? "?"
            let policy = hook["failurePolicy"]?.stringValue ?? "Fail"
            let detail =
                "\(name): failurePolicy \(policy)"
                + (InstallPlan.judgesParent(hook) && policy == "Ignore"
                    ? " (its requests pass while the webhook is down; install --failure-policy-scale Fail to enforce always)"
                    : "")
            findings.append(DoctorFinding(check: "failurePolicy", status: .ok, detail: detail, fix: nil))
            if hook["sideEffects"]?.stringValue != "None" {
                findings.append(
                    DoctorFinding(
                        check: "sideEffects", status: .failure,
                        detail: "\(name) does not declare sideEffects: None, so --dry-run=server fails",
                        fix: "kubectl singleton install"))
            }
            let excluded = (hook[path: "namespaceSelector", "matchExpressions"]?.arrayValue ?? []).filter {
                $0["key"]?.stringValue == "kubernetes.io/metadata.name" && $0["operator"]?.stringValue == "NotIn"
            }.flatMap { $0["values"]?.arrayValue ?? [] }.compactMap(\.stringValue)
            let missing = ["kube-system", inputs.installNamespace].filter { !excluded.contains($0) }
            findings.append(
                missing.isEmpty
                    ? DoctorFinding(
                        check: "namespace exclusions", status: .ok,
                        detail: "\(name) skips \(excluded.joined(separator: ", "))", fix: nil)
                    : DoctorFinding(
                        check: "namespace exclusions", status: .warning,
                        detail:
                            "\(name) does not exclude \(missing.joined(separator: ", ")): a webhook outage can block the cluster's own components",
                        fix: "kubectl singleton install (restores the namespaceSelector)"))
        }
        findings += enforcementSplit(hooks)
        let allResources = hooks.flatMap(resources)
        let scaleKinds = [
            "deployments/scale", "statefulsets/scale", "replicasets/scale", "replicationcontrollers/scale",
        ]
        let uncovered = scaleKinds.filter { !allResources.contains($0) }
        findings.append(
            uncovered.isEmpty
                ? DoctorFinding(
                    check: "scale rules", status: .ok, detail: "rules cover the four */scale subresources", fix: nil)
                : DoctorFinding(
                    check: "scale rules", status: .failure,
                    detail:
                        "no rule covers \(uncovered.joined(separator: ", ")): kubectl scale and HPAs bypass the singleton check",
                    fix: "kubectl singleton install (restores the rules)"))
        return findings + access(inputs)
    }

    /// Namespaces labelled `kube-singleton.dev/enforcement=warn` go to the warn-only entry; every
    /// entry that can deny must skip them, or a request there is denied anyway by that entry.
    static func enforcementSplit(_ hooks: [JSONValue]) -> [DoctorFinding] {
        guard let warn = hooks.first(where: InstallPlan.warnOnly) else { return [] }
        func values(_ hook: JSONValue, _ op: String) -> [String] {
            (hook[path: "namespaceSelector", "matchExpressions"]?.arrayValue ?? []).filter {
                $0["key"]?.stringValue == SingletonAnnotation.enforcement && $0["operator"]?.stringValue == op
            }.flatMap { $0["values"]?.arrayValue ?? [] }.compactMap(\.stringValue)
        }
        let warnName = warn["name"]?.stringValue ?? "?"
        guard values(warn, "In") == ["warn"] else {
            return [
                DoctorFinding(
                    check: "enforcement", status: .warning,
                    detail:
                        "\(warnName) calls the warn-only path but does not select namespaces labelled \(SingletonAnnotation.enforcement)=warn",
                    fix: "kubectl singleton install (restores the namespaceSelector)")
            ]
        }
        let overlapping = hooks.filter { !InstallPlan.warnOnly($0) }.filter { !values($0, "NotIn").contains("warn") }
            .compactMap {
                $0["name"]?.stringValue
            }
        guard overlapping.isEmpty else {
            return [
                DoctorFinding(
                    check: "enforcement", status: .failure,
                    detail:
                        "namespaces labelled \(SingletonAnnotation.enforcement)=warn are also judged by \(overlapping.joined(separator: ", ")), so requests there are still denied",
                    fix: "kubectl singleton install (restores the namespaceSelectors)")
            ]
        }
        return [
            DoctorFinding(
                check: "enforcement", status: .ok,
                detail:
                    "namespaces labelled \(SingletonAnnotation.enforcement)=warn are only warned, by \(warnName)",
                fix: nil)
        ]
    }

    /// The endpoints behind the webhook Service; when none are visible (some clusters keep
    /// only EndpointSlices, the sandbox neither), what the dry-run review showed.
    static func endpoints(_ inputs: DoctorInputs) -> DoctorFinding {
        let ready =
            (inputs.endpoints?["subsets"]?.arrayValue ?? []).flatMap { $0["addresses"]?.arrayValue ?? [] }.count
            + inputs.endpointSliceAddresses
        if ready > 0 {
            return DoctorFinding(
                check: "endpoints", status: .ok, detail: "\(ready) ready webhook endpoint(s)", fix: nil)
        }
        let pods =
            "kubectl -n \(inputs.installNamespace) get pods -l app.kubernetes.io/name=kube-singleton; check their logs"
        switch inputs.probe {
        case .answered?:
            return DoctorFinding(
                check: "endpoints", status: .ok,
                detail:
                    "no ready Endpoints or EndpointSlices visible, but the webhook answered a dry-run review through the API server (TLS verified against the caBundle)",
                fix: nil)
        case .failed(let message)?:
            return DoctorFinding(
                check: "endpoints", status: .failure, detail: "the API server cannot call the webhook: \(message)",
                fix: pods)
        case .notCalled(let message)?:
            return DoctorFinding(
                check: "endpoints", status: .failure,
                detail: "a dry-run review was not sent to the webhook: \(message)", fix: "kubectl singleton install")
        case .unknown(let message)?:
            return DoctorFinding(
                check: "endpoints", status: .unknown,
                detail: "no ready endpoints visible, and the dry-run probe could not be sent: \(message)", fix: pods)
        case nil:
            return DoctorFinding(
                check: "endpoints", status: .failure,
                detail:
                    "the webhook Service has no ready endpoints: with failurePolicy Fail, changes to singletons are refused",
                fix: pods)
        }
    }

    /// A read that failed for a reason other than absence, named for what it is.
    static func apiFailure(_ failure: KubeAPIError, reading resource: String) -> DoctorFinding {
        switch failure.code {
        case 0:
            return DoctorFinding(
                check: "API server", status: .failure, detail: failure.message,
                fix: "check the server address and your network (kubectl cluster-info; --context, --kubeconfig)")
        case 401:
            return DoctorFinding(
                check: "API server", status: .failure,
                detail: "the API server refused your credentials (401 Unauthorized): \(failure.message)",
                fix:
                    "renew your credentials (log in again, or check the token or client certificate in your kubeconfig)"
            )
        case 403:
            return DoctorFinding(
                check: "permissions", status: .failure,
                detail: "you may not read \(resource) (403 Forbidden): \(failure.message)",
                fix: "run doctor with an account that may read it, or ask for get on \(resource)")
        default:
            return DoctorFinding(
                check: "API server", status: .failure, detail: "reading \(resource) failed: \(failure.description)",
                fix: nil)
        }
    }

    static func resources(_ hook: JSONValue) -> [String] {
        (hook["rules"]?.arrayValue ?? []).flatMap { $0["resources"]?.arrayValue ?? [] }.compactMap(\.stringValue)
    }

    static func certificates(_ hooks: [JSONValue], _ inputs: DoctorInputs) -> [DoctorFinding] {
        func pem(_ base64: JSONValue?) -> String? {
            guard let s = base64?.stringValue, let d = Data(base64Encoded: s) else { return nil }
            return String(data: d, encoding: .utf8)
        }
        if let failure = inputs.secretError {
            let finding = apiFailure(failure, reading: "secrets in \(inputs.installNamespace)")
            return [
                DoctorFinding(
                    check: "serving certificate", status: .unknown,
                    detail: "cannot read the TLS Secret: \(finding.detail)", fix: finding.fix)
            ]
        }
        guard let cert = pem(inputs.tlsSecret?[path: "data", "tls.crt"]) else {
            return [
                DoctorFinding(
                    check: "serving certificate", status: .failure,
                    detail: "the TLS Secret is missing or has no tls.crt",
                    fix: "kubectl singleton install --self-signed (or install cert-manager and use --cert-manager)")
            ]
        }
        var findings: [DoctorFinding] = []
        for hook in hooks {
            let name = hook["name"]?.stringValue ?? "?"
            guard let bundle = pem(hook[path: "clientConfig", "caBundle"]) else {
                findings.append(
                    DoctorFinding(
                        check: "caBundle", status: .failure,
                        detail: "\(name) has no caBundle: the apiserver cannot verify the webhook",
                        fix: "kubectl singleton install"))
                continue
            }
            let signed = (try? CertificateFactory.isSigned(certificatePEM: cert, byAnyOf: bundle)) ?? false
            findings.append(
                signed
                    ? DoctorFinding(
                        check: "caBundle", status: .ok, detail: "\(name): caBundle signs the serving certificate",
                        fix: nil)
                    : DoctorFinding(
                        check: "caBundle", status: .failure,
                        detail: "\(name): caBundle does not match the serving certificate: every call fails TLS",
                        fix: "kubectl singleton install (rewrites the caBundle from the Secret's CA)"))
        }
        if let info = try? CertificateFactory.inspect(certificatePEM: cert) {
            let days = Int(info.notAfter.timeIntervalSince(inputs.now) / 86400)
            let status: DoctorFinding.Status = days < 0 ? .failure : (days < 30 ? .warning : .ok)
            findings.append(
                DoctorFinding(
                    check: "certificate expiry", status: status,
                    detail: days < 0 ? "expired \(-days) days ago" : "expires in \(days) days",
                    fix: status == .ok
                        ? nil : "delete Secret \(inputs.tlsSecret?.name ?? "") and rerun kubectl singleton install"))
        }
        return findings
    }

    static func access(_ inputs: DoctorInputs) -> [DoctorFinding] {
        let denied = inputs.access.filter { !$0.1 }.map(\.0)
        if inputs.access.isEmpty {
            return [
                DoctorFinding(
                    check: "your RBAC", status: .unknown, detail: "the API server answered no SelfSubjectAccessReview",
                    fix: nil)
            ]
        }
        return [
            denied.isEmpty
                ? DoctorFinding(
                    check: "your RBAC", status: .ok,
                    detail: "allowed: \(inputs.access.map(\.0).joined(separator: ", "))", fix: nil)
                : DoctorFinding(
                    check: "your RBAC", status: .warning, detail: "denied: \(denied.joined(separator: ", "))",
                    fix: "ask a cluster admin for a Role granting \(denied.joined(separator: ", "))")
        ]
    }
}
