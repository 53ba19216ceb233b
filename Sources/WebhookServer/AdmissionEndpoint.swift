import Foundation
import HTTPSServerKit
import Logging
import NIOHTTP1
import SingletonCore

/// `POST /validate`: the hot path. One straight line: method, content type and size checks,
/// decode, the core's pure decision (with a parent lookup only for scale and HPA requests
/// that need one), encode. Every failure is still a well-formed AdmissionReview that echoes
/// the request uid when it could be read.
public struct AdmissionEndpoint: Sendable {
    public let policy: SingletonPolicy
    /// `policy` in `warn`: what the warn-only path decides with (the webhook entry for
    /// namespaces labelled `kube-singleton.dev/enforcement=warn` calls it).
    public let warnPolicy: SingletonPolicy
    public let resolver: ParentResolver
    public let metrics: WebhookMetrics
    public let logger: Logger

    public init(policy: SingletonPolicy, resolver: ParentResolver, metrics: WebhookMetrics, logger: Logger) {
        self.policy = policy
        var warn = policy
        warn.enforcement = .warn
        self.warnPolicy = warn
        self.resolver = resolver
        self.metrics = metrics
        self.logger = logger
    }

    public func handle(_ request: ServerRequest) async -> ServerResponse {
        await respond(to: request).response()
    }

    /// The answer on the event loop whenever no API call is needed: every workload
    /// request, and scale or HPA requests whose parent is in the cache. Only a cache miss
    /// returns `.later`, carrying the decoded request so nothing is decoded twice.
    /// `warnOnly`: decide under `warn` whatever the cluster's enforcement (the warn-only path).
    public func respond(to request: ServerRequest, warnOnly: Bool = false) -> HandlerResult {
        let start = ContinuousClock.now
        if let refusal = precheck(request) { return .now(refusal) }
        switch (warnOnly ? warnPolicy : policy).begin(bytes: request.bodyBytes) {
        case .done(let outcome):
            return .now(answer(outcome, request, since: start))
        case .needsParent(let pending):
            if let parent = resolver.resolveWithoutWaiting(pending.reference) {
                return .now(answer(pending.finish(parent), request, since: start))
            }
            let resolver = self.resolver
            return .later { answer(pending.finish(await resolver.fetch(pending.reference)), request, since: start) }
        }
    }

    /// Method, content type and an empty body: refused before any decoding.
    private func precheck(_ request: ServerRequest) -> ServerResponse? {
        guard request.method == .POST else {
            var response = reject(
                .methodNotAllowed, reason: "method-not-allowed", request,
                "\(request.method.rawValue) is not supported on \(request.path); the API server POSTs AdmissionReviews")
            response.headers.replaceOrAdd(name: "Allow", value: "POST")
            return response
        }
        guard Self.isJSON(request.headers.first(name: "content-type")) else {
            return reject(
                .unsupportedMediaType, reason: "unsupported-media-type", request,
                "Content-Type must be application/json, got \(request.headers.first(name: "content-type").map { "\"\($0)\"" } ?? "none")"
            )
        }
        guard request.body.readableBytes > 0 else {
            return reject(
                .badRequest, reason: "empty-body", request,
                "empty body: expected an admission.k8s.io/v1 AdmissionReview")
        }
        return nil
    }

    /// The HTTP answer for an outcome: 200 with the review, or 400 when it was unreadable.
    private func answer(
        _ outcome: ReviewOutcome, _ request: ServerRequest, since start: ContinuousClock.Instant
    ) -> ServerResponse {
        guard let admission = outcome.summary, let decision = outcome.decision else {
            let error = outcome.decodeError
            metrics.recordRejected(reason: "malformed")
            logger.warning(
                "unreadable AdmissionReview",
                metadata: [
                    "uid": "\(error?.uid ?? "")", "error": "\(error?.message ?? "")",
                    "remote": "\(request.remoteAddress ?? "")",
                ])
            return .json(.badRequest, outcome.bodyBytes)
        }
        let bytes = outcome.bodyBytes
        let elapsed = ContinuousClock.now - start
        record(admission, decision, seconds: elapsed.secondsValue)
        return .json(.ok, bytes)
    }

    /// The 413 answer: an AdmissionReview with the uid when the bytes read so far show it.
    public func bodyTooLarge(_ request: ServerRequest, limit: Int) -> ServerResponse {
        reject(
            .payloadTooLarge, reason: "too-large", request,
            "request body exceeds \(limit) bytes; AdmissionReviews are limited like the API server's webhooks")
    }

    /// A refusal before any decision, as an AdmissionReview denial carrying `status`.
    func reject(
        _ status: HTTPResponseStatus, reason: String, _ request: ServerRequest, _ message: String
    ) -> ServerResponse {
        metrics.recordRejected(reason: reason)
        let uid = request.body.readableBytes > 0 ? AdmissionReview.requestUID(bytes: request.bodyBytes) : nil
        logger.warning(
            "request refused",
            metadata: [
                "status": "\(status.code)", "reason": "\(reason)", "path": "\(request.path)",
                "uid": "\(uid ?? "")", "remote": "\(request.remoteAddress ?? "")",
            ])
        let response = AdmissionResponse(
            uid: uid ?? "", allowed: false,
            status: ResponseStatus(
                code: Int(status.code), reason: status.reasonPhrase.replacingOccurrences(of: " ", with: ""),
                message: message))
        return .json(status, AdmissionReview.encodeResponseBytes(response))
    }

    private func record(_ request: RequestSummary, _ decision: AdmissionDecision, seconds: Double) {
        let kind =
            request.resource.resource.isEmpty
            ? "unknown"
            : request.resource.resource + (request.subResource.map { $0.isEmpty ? "" : "/\($0)" } ?? "")
        metrics.recordDecision(
            verdict: decision.verdict.rawValue, kind: kind,
            operation: request.operation.rawValue, rule: decision.rule.rawValue, seconds: seconds)
        // Plain allows log at debug: skip building the line when it would be dropped.
        if decision.allowed, !decision.wouldDeny, decision.rule != .unverifiedParent, logger.logLevel > .debug {
            return
        }
        var meta: Logger.Metadata = [
            "uid": "\(request.uid)", "kind": "\(kind)", "operation": "\(request.operation.rawValue)",
            "object": "\(request.namespace.map { "\($0)/" } ?? "")\(request.name ?? "")",
            "rule": "\(decision.rule.rawValue)",
            "user": "\(request.username ?? "")", "dryRun": "\(request.dryRun)",
        ]
        if let mode = decision.mode { meta["mode"] = "\(mode.rawValue)" }
        if !decision.warnings.isEmpty { meta["warnings"] = "\(decision.warnings.joined(separator: " | "))" }
        if decision.wouldDeny {
            meta["reason"] = "\(decision.message ?? "")"
            logger.warning("allowed under enforcement warn; would have denied", metadata: meta)
        } else if decision.allowed {
            if decision.rule == .unverifiedParent {
                logger.warning("allowed without verifying the parent", metadata: meta)
            } else {
                logger.debug("allowed", metadata: meta)
            }
        } else {
            meta["reason"] = "\(decision.message ?? "")"
            logger.info("denied", metadata: meta)
        }
    }

    /// `application/json`, with or without parameters such as charset.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        if contentType == "application/json" { return true }  // what the API server sends: skip the parsing
        let mediaType = contentType.split(separator: ";", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces)
            .lowercased()
        return mediaType == "application/json"
    }
}
