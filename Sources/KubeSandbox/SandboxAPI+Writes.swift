import Foundation
import KubeAPIMachinery

/// Writes: prepare (pure), admit (webhooks), commit unless `dryRun=All`.
extension SandboxAPI {
    static func parseBody(_ data: Data) throws(KubeAPIError) -> JSONValue {
        do { return try JSONValue.parse(data) } catch {
            throw KubeAPIError.badRequest(
                "the body of the request could not be decoded as JSON: \(error.localizedDescription)")
        }
    }

    func admit(_ attrs: AdmissionAttributes) async throws(KubeAPIError) -> [String] {
        try await dispatcher.admit(
            attrs, configurations: webhookConfigurations, namespaceLabels: namespaceLabels(attrs.namespace))
    }

    /// Bodies of POST and PUT: JSON, or the protobuf kubectl's typed generators send (for
    /// the kinds `ProtobufDecoding` knows); other media types get 415.
    static func decodeBody(_ req: APIRequest) throws(KubeAPIError) -> JSONValue {
        let type = req.headers["content-type"] ?? "application/json"
        if type.hasPrefix("application/vnd.kubernetes.protobuf") { return try ProtobufDecoding.decode(req.body) }
        if type.hasPrefix("application/json") || type.isEmpty || type.hasPrefix("*/*") {
            return try parseBody(req.body)
        }
        throw KubeAPIError(
            code: 415, reason: "UnsupportedMediaType",
            message: "the body of the request was in an unknown format - accepted media types include: application/json"
        )
    }

    func create(_ t: RequestTarget, _ req: APIRequest) async throws(KubeAPIError) -> APIResponse {
        guard t.subresource.isEmpty else { throw KubeAPIError.methodNotAllowed(req.method) }
        let body = try Self.decodeBody(req)
        return try await createObject(t.type, namespace: t.namespace ?? "", body: body, req: req)
    }

    func createObject(
        _ type: ResourceType, namespace: String, body: JSONValue, req: APIRequest
    ) async throws(KubeAPIError) -> APIResponse {
        var prepared = try ObjectPreparation.prepareCreate(type, namespace: namespace, object: body, now: store.now)
        if type == ResourceCatalog.customResourceDefinitions {
            prepared = try CustomResources.prepared(prepared, now: store.now)
        }
        if store.contains(type, namespace: prepared.namespace, name: prepared.name) {
            throw KubeAPIError.alreadyExists(type, name: prepared.name)
        }
        let attrs = AdmissionAttributes(
            operation: "CREATE", type: type, name: prepared.name, namespace: prepared.namespace,
            object: prepared, oldObject: nil, dryRun: req.isDryRun, user: req.user ?? UserInfo(username: "", groups: [])
        )
        let warnings = try await admit(attrs)
        if req.isDryRun { return .json(prepared, status: 201, warnings: warnings) }
        let stored = try store.commitCreate(type, prepared)
        await afterWrite()
        return .json(stored, status: 201, warnings: warnings)
    }

    /// PUT and PATCH of an object, its `status` or its `scale`.
    func update(_ t: RequestTarget, _ req: APIRequest, patchType: String?) async throws(KubeAPIError) -> APIResponse {
        let name = t.name ?? ""
        let ns = t.namespace ?? ""
        let body = try patchType == nil ? Self.decodeBody(req) : Self.parseBody(req.body)
        let current: JSONValue
        do {
            current = try store.get(t.type, namespace: ns, name: name)
        } catch {
            if let patchType, patchType.hasPrefix("application/apply-patch"), t.subresource.isEmpty {
                return try await createObject(t.type, namespace: ns, body: body, req: req)
            }
            throw error
        }
        switch t.subresource {
        case "scale" where t.type.hasScale:
            return try await updateScale(t.type, current, body: body, patchType: patchType, req: req)
        case "", "status":
            let base = current
            let desired =
                try patchType.map { (pt) throws(KubeAPIError) in try Self.applyPatch(pt, body, to: base) } ?? body
            let part: ObjectPreparation.Part = t.subresource == "status" ? .status : .main
            var prepared = try ObjectPreparation.prepareUpdate(t.type, old: current, new: desired, part: part)
            if t.type == ResourceCatalog.customResourceDefinitions, part == .main {
                prepared = try CustomResources.prepared(prepared, now: store.now)
            }
            let attrs = AdmissionAttributes(
                operation: "UPDATE", type: t.type, subresource: t.subresource, name: name, namespace: ns,
                object: prepared, oldObject: current, dryRun: req.isDryRun,
                user: req.user ?? UserInfo(username: "", groups: []))
            let warnings = try await admit(attrs)
            if req.isDryRun { return .json(prepared, warnings: warnings) }
            let stored = try store.commitUpdate(t.type, prepared, expectedVersion: current.resourceVersion)
            await afterWrite()
            return .json(stored, warnings: warnings)
        default:
            throw KubeAPIError.notFoundPath(req.path)
        }
    }

    func updateScale(
        _ type: ResourceType, _ parent: JSONValue, body: JSONValue, patchType: String?, req: APIRequest
    ) async throws(KubeAPIError) -> APIResponse {
        let oldScale = ScaleView.scale(of: parent, paths: type.scalePaths)
        var newScale =
            try patchType.map { (pt) throws(KubeAPIError) in try Self.applyPatch(pt, body, to: oldScale) } ?? body
        let sent = newScale.resourceVersion
        if !sent.isEmpty, sent != parent.resourceVersion { throw KubeAPIError.conflict(type, name: parent.name) }
        if let r = newScale[path: "spec", "replicas"], r.intValue == nil, r != .null {
            throw KubeAPIError.invalid(
                ResourceType(group: "autoscaling", version: "v1", resource: "scale", kind: "Scale"), name: parent.name,
                "spec.replicas: Invalid value: must be an integer")
        }
        if (newScale[path: "spec", "replicas"]?.intValue ?? 0) < 0 {
            throw KubeAPIError.invalid(
                ResourceType(group: "autoscaling", version: "v1", resource: "scale", kind: "Scale"), name: parent.name,
                "spec.replicas: Invalid value: \(newScale[path: "spec", "replicas"]?.intValue ?? 0): must be greater than or equal to 0"
            )
        }
        // What the webhook sees is the Scale as the apiserver rebuilds it: metadata stripped.
        var meta = oldScale["metadata"] ?? .object([:])
        meta["resourceVersion"] = .string(parent.resourceVersion)
        newScale = [
            "kind": "Scale", "apiVersion": "autoscaling/v1", "metadata": meta,
            "spec": (newScale[path: "spec", "replicas"]?.intValue ?? 0) == 0
                ? .object([:]) : ["replicas": newScale[path: "spec", "replicas"] ?? 0],
            "status": oldScale["status"] ?? .object([:]),
        ]
        let newParent = try ObjectPreparation.prepareUpdate(
            type, old: parent, new: ScaleView.applying(newScale, to: parent, paths: type.scalePaths), part: .main)
        let attrs = AdmissionAttributes(
            operation: "UPDATE", type: type, subresource: "scale", kind: ("autoscaling", "v1", "Scale"),
            name: parent.name, namespace: parent.namespace, object: newScale, oldObject: oldScale,
            dryRun: req.isDryRun, user: req.user ?? UserInfo(username: "", groups: []))
        let warnings = try await admit(attrs)
        if req.isDryRun { return .json(ScaleView.scale(of: newParent, paths: type.scalePaths), warnings: warnings) }
        let stored = try store.commitUpdate(type, newParent, expectedVersion: parent.resourceVersion)
        await afterWrite()
        let fresh = (try? store.get(type, namespace: stored.namespace, name: stored.name)) ?? stored
        return .json(ScaleView.scale(of: fresh, paths: type.scalePaths), warnings: warnings)
    }

    /// Applies a patch by its content type. Server-side apply is approximated: the applied
    /// configuration is strategic-merged onto the live object (no managedFields, no field
    /// ownership conflicts, fields dropped from the configuration are kept).
    static func applyPatch(
        _ contentType: String, _ patch: JSONValue, to object: JSONValue
    ) throws(KubeAPIError) -> JSONValue {
        // The sandbox also takes apply configurations sent as JSON.
        let type = PatchType(
            contentType: contentType.replacingOccurrences(of: "apply-patch+json", with: "apply-patch+yaml"))
        switch type {
        case .merge?: return object.applyingMergePatch(patch)
        case .jsonPatch?: return try JSONPatch.apply(patch, to: object)
        case .strategicMerge?, .apply?: return try StrategicMerge.apply(patch, to: object)
        case nil: throw KubeAPIError.unsupportedMediaType(contentType)
        }
    }

    func delete(_ t: RequestTarget, _ req: APIRequest) async throws(KubeAPIError) -> APIResponse {
        guard t.subresource.isEmpty else { throw KubeAPIError.methodNotAllowed(req.method) }
        let name = t.name ?? ""
        let ns = t.namespace ?? ""
        let current = try store.get(t.type, namespace: ns, name: name)
        let options = req.body.isEmpty ? JSONValue.object([:]) : try Self.parseBody(req.body)
        if let uid = options[path: "preconditions", "uid"]?.stringValue, uid != current.uid {
            throw KubeAPIError(
                code: 409, reason: "Conflict",
                message:
                    "Operation cannot be fulfilled on \(t.type.groupResource) \"\(name)\": Precondition failed: UID in precondition: \(uid), UID in object meta: \(current.uid)"
            )
        }
        if let rv = options[path: "preconditions", "resourceVersion"]?.stringValue, rv != current.resourceVersion {
            throw KubeAPIError.conflict(t.type, name: name)
        }
        let dryRun = req.isDryRun || (options["dryRun"]?.arrayValue ?? []).contains("All")
        var opts = AdmissionAttributes.defaultOptions("DELETE")
        if dryRun { opts["dryRun"] = ["All"] }
        if let policy = options["propagationPolicy"] ?? req.query["propagationPolicy"].map(JSONValue.string) {
            opts["propagationPolicy"] = policy
        }
        let attrs = AdmissionAttributes(
            operation: "DELETE", type: t.type, name: name, namespace: ns, object: nil, oldObject: current,
            dryRun: dryRun, options: opts, user: req.user ?? UserInfo(username: "", groups: []))
        let warnings = try await admit(attrs)
        if dryRun { return .json(current, warnings: warnings) }
        let orphan = opts["propagationPolicy"]?.stringValue == "Orphan"
        let deleted = try store.commitDelete(t.type, namespace: ns, name: name, orphan: orphan)
        await afterWrite()
        return .json(deleted.first ?? current, warnings: warnings)
    }

    func deleteCollection(_ t: RequestTarget, _ req: APIRequest) async throws(KubeAPIError) -> APIResponse {
        let labels = try LabelQuery.parse(req.query["labelSelector"] ?? "")
        let fields = try FieldQuery.parse(req.query["fieldSelector"] ?? "")
        let items = try store.list(
            t.type, namespace: t.namespace, labels: labels, fields: fields, limit: nil, continueToken: nil
        ).items
        var warnings: [String] = []
        for item in items {
            var one = t
            one.name = item.name
            one.namespace = item.namespace.isEmpty ? nil : item.namespace
            let r = try await delete(
                one,
                APIRequest(method: "DELETE", path: req.path, query: req.query, headers: req.headers, user: req.user))
            warnings += r.headers.filter { $0.0 == "Warning" }.map(\.1)
        }
        var response = APIResponse.json([
            "kind": .string("\(t.type.kind)List"), "apiVersion": .string(t.type.apiVersion),
            "metadata": ["resourceVersion": .string(String(store.revision))], "items": .array(items),
        ])
        response.headers += warnings.map { ("Warning", $0) }
        return response
    }
}
