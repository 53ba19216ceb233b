import HTTPSServerKit
import Logging
import NIOCore

/// Routes of the webhook's ports: the admission path, health, readiness and metrics.
public struct WebhookRouter: HTTPSHandler {
    /// What a port serves.
    public struct Routes: OptionSet, Sendable {
        public let rawValue: Int
        public init(rawValue: Int) { self.rawValue = rawValue }
        public static let admission = Routes(rawValue: 1)
        public static let health = Routes(rawValue: 2)
        public static let metrics = Routes(rawValue: 4)
    }

    public let routes: Routes
    public let validatePath: String
    /// The warn-only path: `validatePath` + `-warn` (`/validate-warn` by default).
    public let warnPath: String
    public let admission: AdmissionEndpoint
    /// Nil when ready; otherwise why not (the parent cache has not synced, is stale, or the
    /// webhook is shutting down).
    public let unready: @Sendable () -> String?

    public init(
        routes: Routes, validatePath: String, admission: AdmissionEndpoint, unready: @escaping @Sendable () -> String?
    ) {
        self.routes = routes
        self.validatePath = validatePath
        self.warnPath = Self.warnPath(for: validatePath)
        self.admission = admission
        self.unready = unready
    }

    /// The warn-only path of a validate path.
    public static func warnPath(for validatePath: String) -> String { validatePath + "-warn" }

    public func handle(_ request: ServerRequest) async -> ServerResponse {
        await respond(to: request).response()
    }

    /// Every route answers on the event loop except an admission request whose parent
    /// must be fetched from the API server.
    public func respond(to request: ServerRequest) -> HandlerResult {
        let path = request.path
        if routes.contains(.admission) {
            if path == validatePath { return admission.respond(to: request) }
            if path == warnPath {
                return admission.respond(to: request, warnOnly: true)
            }
        }
        return .now(other(request, path))
    }

    private func other(_ request: ServerRequest, _ path: String) -> ServerResponse {
        if routes.contains(.health), path == "/healthz" || path == "/readyz" {
            guard request.method == .GET || request.method == .HEAD else { return methodNotAllowed(request) }
            if path == "/healthz" { return .text(.ok, "ok\n") }
            if let why = unready() { return .text(.serviceUnavailable, why + "\n") }
            return .text(.ok, "ok\n")
        }
        if routes.contains(.metrics), path == "/metrics" {
            guard request.method == .GET || request.method == .HEAD else { return methodNotAllowed(request) }
            return .bytes(.ok, contentType: "text/plain; version=0.0.4; charset=utf-8", admission.metrics.exposition())
        }
        if routes.contains(.admission) {
            // Anything POSTed elsewhere is most likely a misconfigured webhook path: answer in kind.
            return admission.reject(
                .notFound, reason: "not-found", request,
                "no route for \(path); AdmissionReviews go to \(validatePath) (or \(warnPath) to only warn)")
        }
        admission.metrics.recordRejected(reason: "not-found")
        return .text(.notFound, "no route for \(path)\n")
    }

    public func bodyTooLarge(_ request: ServerRequest, limit: Int) async -> ServerResponse {
        admission.bodyTooLarge(request, limit: limit)
    }

    public func bodyTimedOut(_ request: ServerRequest, limit: TimeAmount) async -> ServerResponse {
        guard routes.contains(.admission) else { return .text(.requestTimeout, "request body not received in time\n") }
        return admission.reject(
            .requestTimeout, reason: "body-timeout", request,
            "request body not received within \(limit.nanoseconds / 1_000_000_000) s")
    }

    private func methodNotAllowed(_ request: ServerRequest) -> ServerResponse {
        admission.metrics.recordRejected(reason: "method-not-allowed")
        var response = ServerResponse.text(
            .methodNotAllowed, "\(request.method.rawValue) not allowed on \(request.path)\n")
        response.headers.add(name: "Allow", value: "GET, HEAD")
        return response
    }
}
