import Foundation
import KubeAPIMachinery

/// Calls the validating webhooks that match a write, like the apiserver's dispatcher:
/// sideEffects checked for dry runs, failurePolicy applied to call and matchCondition
/// errors, the first denial turned into `admission webhook "NAME" denied the request: MSG`
/// with the webhook's HTTP code (400 when it set none), warnings collected for the
/// response's `Warning` headers.
public struct AdmissionDispatcher: Sendable {
    public var transport: any WebhookTransport
    /// `namespace/name` of a Service -> base URL (`https://127.0.0.1:8443`), since the
    /// sandbox has no cluster network to route `clientConfig.service` through.
    public var serviceEndpoints: [String: String]
    public var log: @Sendable (String) -> Void

    public init(
        transport: any WebhookTransport, serviceEndpoints: [String: String] = [:],
        log: @escaping @Sendable (String) -> Void = { _ in }
    ) {
        self.transport = transport
        self.serviceEndpoints = serviceEndpoints
        self.log = log
    }

    /// Returns the warnings to send back, or throws the Status that rejects the write.
    public func admit(
        _ attrs: AdmissionAttributes, configurations: [JSONValue],
        namespaceLabels: [String: String]?
    ) async throws(KubeAPIError) -> [String] {
        var warnings: [String] = []
        for config in configurations.sorted(by: { $0.name < $1.name }) {
            for webhook in config["webhooks"]?.arrayValue ?? [] {
                let name = webhook["name"]?.stringValue ?? ""
                let failOpen = webhook["failurePolicy"]?.stringValue == "Ignore"
                switch WebhookMatching.match(webhook, attrs, namespaceLabels: namespaceLabels) {
                case .skip: continue
                case .error(let message):
                    if failOpen { log("webhook \(name): \(message); failurePolicy Ignore"); continue }
                    throw KubeAPIError.internalError("failed calling webhook \"\(name)\": \(message)")
                case .matches: break
                }
                if attrs.dryRun {
                    let effects = webhook["sideEffects"]?.stringValue ?? ""
                    guard effects == "None" || effects == "NoneOnDryRun" else {
                        throw KubeAPIError.badRequest("admission webhook \"\(name)\" does not support dry run")
                    }
                }
                do {
                    let response = try await call(webhook, name: name, attrs)
                    warnings += response.warnings
                    if !response.allowed { throw Self.denial(name, response.status) }
                } catch let rejection as KubeAPIError {
                    throw rejection
                } catch {
                    let message = "failed calling webhook \"\(name)\": \(error)"
                    if failOpen { log("\(message); failurePolicy Ignore"); continue }
                    throw KubeAPIError.internalError(message)
                }
            }
        }
        return warnings
    }

    struct Response {
        var allowed: Bool
        var status: JSONValue?
        var warnings: [String]
    }

    struct InvalidResponse: Error, CustomStringConvertible {
        var description: String
    }

    func call(_ webhook: JSONValue, name: String, _ attrs: AdmissionAttributes) async throws -> Response {
        let timeout = min(max(webhook["timeoutSeconds"]?.intValue ?? 10, 1), 30)
        let (base, serverName) = try endpoint(webhook["clientConfig"] ?? .null)
        let url = base + "?timeout=\(timeout)s"
        let uid = UUID().uuidString.lowercased()
        let review: JSONValue = [
            "kind": "AdmissionReview", "apiVersion": "admission.k8s.io/v1",
            "request": attrs.reviewRequest(uid: uid),
        ]
        var ca: Data?
        if let bundle = webhook[path: "clientConfig", "caBundle"]?.stringValue, !bundle.isEmpty {
            guard let decoded = Data(base64Encoded: bundle) else {
                throw WebhookCallError("failed to call webhook: caBundle is not valid base64")
            }
            ca = decoded
        }
        let body: Data
        do {
            body = try await transport.post(
                WebhookCall(
                    url: url, caBundlePEM: ca, body: review.serialized(),
                    timeoutSeconds: timeout, serverName: serverName))
        } catch {
            throw WebhookCallError("failed to call webhook: \(error)")
        }
        guard let parsed = try? JSONValue.parse(body) else {
            throw InvalidResponse(description: "received invalid webhook response: response body is not JSON")
        }
        guard parsed["apiVersion"]?.stringValue == "admission.k8s.io/v1",
            parsed["kind"]?.stringValue == "AdmissionReview"
        else {
            throw InvalidResponse(
                description:
                    "received invalid webhook response: expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got \(parsed["apiVersion"]?.stringValue ?? ""), Kind=\(parsed["kind"]?.stringValue ?? "")"
            )
        }
        guard let response = parsed["response"], case .object = response else {
            throw InvalidResponse(description: "received invalid webhook response: webhook response was absent")
        }
        let got = response["uid"]?.stringValue ?? ""
        guard got == uid else {
            throw InvalidResponse(
                description: "received invalid webhook response: expected response.uid=\"\(uid)\", got \"\(got)\"")
        }
        return Response(
            allowed: response["allowed"]?.boolValue ?? false, status: response["status"],
            warnings: (response["warnings"]?.arrayValue ?? []).compactMap(\.stringValue))
    }

    /// The URL to call and, for a Service, the name its certificate must carry (`name.namespace.svc`).
    func endpoint(_ clientConfig: JSONValue) throws -> (url: String, serverName: String?) {
        if let url = clientConfig["url"]?.stringValue, !url.isEmpty { return (url, nil) }
        if let service = clientConfig["service"] {
            let name = service["name"]?.stringValue ?? "", namespace = service["namespace"]?.stringValue ?? ""
            let key = "\(namespace)/\(name)"
            guard let base = serviceEndpoints[key] else {
                throw WebhookCallError(
                    "failed to call webhook: service \"\(key)\" is not reachable from the sandbox (register the webhook with clientConfig.url, or start the sandbox with --service-endpoint \(key)=https://127.0.0.1:PORT)"
                )
            }
            return (base + (service["path"]?.stringValue ?? ""), "\(name).\(namespace).svc")
        }
        throw WebhookCallError("failed to call webhook: clientConfig has neither url nor service")
    }

    /// `ToStatusErr`: the webhook's status with the apiserver's message prefix; codes below 400 become 400.
    static func denial(_ name: String, _ status: JSONValue?) -> KubeAPIError {
        let deniedBy = "admission webhook \"\(name)\" denied the request"
        let message = status?["message"]?.stringValue ?? ""
        let reason = status?["reason"]?.stringValue ?? ""
        let text: String
        if !message.isEmpty {
            text = "\(deniedBy): \(message)"
        } else if !reason.isEmpty {
            text = "\(deniedBy): \(reason)"
        } else {
            text = "\(deniedBy) without explanation"
        }
        var code = status?["code"]?.intValue ?? 0
        if code < 400 { code = 400 }
        // Typed as the apiserver's `StatusDetails`: fields it does not know are dropped, as there.
        let details = status?["details"].flatMap {
            try? JSONDecoder().decode(Status.Details.self, from: $0.serialized())
        }
        return KubeAPIError(code: code, reason: reason, message: text, details: details)
    }
}
