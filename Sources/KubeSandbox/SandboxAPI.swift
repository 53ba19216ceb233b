import Foundation
import KubeAPIMachinery

/// The sandbox's Kubernetes API: routing, reads, and the shared state behind writes and
/// watches. An actor, so requests from the HTTPS server's event loops serialise on it;
/// webhook calls suspend it (other requests proceed), and commits re-check resourceVersions.
public actor SandboxAPI {
    var store: ObjectStore
    /// Built-in types plus those the stored CustomResourceDefinitions add.
    var catalog = ResourceCatalog.builtins
    var crdFingerprint: [String] = []
    /// When false, workloads get no Pods and no status (tests of pure storage semantics).
    public var controllersEnabled: Bool
    let dispatcher: AdmissionDispatcher
    var watchers: [UUID: Watcher] = [:]
    var broadcastRevision: Int64
    var controllerRunning = false
    var controllerPending = false
    /// Changes up to this revision have been reconciled.
    var controllerRevision: Int64
    /// Workloads whose controller writes failed, reconciled again on the next write.
    var controllerRetry: Set<ObjectKey> = []
    /// Send the simulated controllers' writes through admission, as a real apiserver does.
    public var admitControllerWrites = true
    public private(set) var serverAddress: String
    let bookmarkInterval: Duration

    public init(
        dispatcher: AdmissionDispatcher, controllersEnabled: Bool = true, serverAddress: String = "127.0.0.1:6443",
        eventCapacity: Int = 1000, bookmarkInterval: Duration = .seconds(5)
    ) {
        var s = ObjectStore(eventCapacity: eventCapacity)
        for ns in ["default", "kube-system", "kube-public", "kube-node-lease"] { s.ensureNamespace(ns) }
        self.store = s
        self.broadcastRevision = s.revision
        self.controllerRevision = s.revision
        self.dispatcher = dispatcher
        self.controllersEnabled = controllersEnabled
        self.serverAddress = serverAddress
        self.bookmarkInterval = bookmarkInterval
    }

    public func setControllersEnabled(_ on: Bool) { controllersEnabled = on }

    /// Set once the port is known (`/api` advertises it).
    public func setServerAddress(_ address: String) { serverAddress = address }

    /// Current global resourceVersion.
    public var revision: Int64 { store.revision }

    // MARK: - seeding helpers (bypass admission, as if the objects pre-existed)

    /// Creates objects directly (no admission); kinds must be served types (a seeded
    /// CustomResourceDefinition serves its kind to the objects after it).
    @discardableResult
    public func seed(_ objects: [JSONValue]) async throws(KubeAPIError) -> [JSONValue] {
        var out: [JSONValue] = []
        for o in objects {
            guard
                let t = catalog.find(
                    apiVersion: o["apiVersion"]?.stringValue ?? "", kind: o["kind"]?.stringValue ?? "")
            else {
                throw KubeAPIError.badRequest(
                    "no served type for apiVersion \(o["apiVersion"]?.stringValue ?? "") kind \(o["kind"]?.stringValue ?? "")"
                )
            }
            var p = try ObjectPreparation.prepareCreate(t, namespace: o.namespace, object: o, now: store.now)
            if t == ResourceCatalog.customResourceDefinitions { p = try CustomResources.prepared(p, now: store.now) }
            out.append(try store.commitCreate(t, p))
            if t == ResourceCatalog.customResourceDefinitions { syncCustomResources() }
        }
        await afterWrite()
        return out
    }

    /// Reads one object directly (tests).
    public func object(_ type: ResourceType, namespace: String, name: String) -> JSONValue? {
        try? store.get(type, namespace: namespace, name: name)
    }

    /// All objects of a type (tests).
    public func objects(_ type: ResourceType, namespace: String?) -> [JSONValue] {
        store.all(type, namespace: namespace)
    }

    // MARK: - entry point

    public func handle(_ req: APIRequest) async -> APIResponse {
        guard req.user != nil else { return .error(.unauthorized) }
        do {
            return try await route(req)
        } catch {
            return .error(error)
        }
    }

    func route(_ req: APIRequest) async throws(KubeAPIError) -> APIResponse {
        let segments = req.path.split(separator: "/").map(String.init)
        if req.method == "GET", let doc = discovery(segments) { return .json(doc) }
        if segments.first == "openapi" || ["healthz", "livez", "readyz", "version"].contains(segments.first ?? "") {
            if ["healthz", "livez", "readyz"].contains(segments.first ?? "") {
                return APIResponse(status: 200, headers: [("Content-Type", "text/plain")], body: .data(Data("ok".utf8)))
            }
            throw KubeAPIError.notFoundPath(req.path)
        }
        guard let target = try RequestTarget.parse(segments, catalog) else { throw KubeAPIError.notFoundPath(req.path) }
        switch req.method {
        case "GET":
            if target.name == nil {
                if target.watchPath || req.query["watch"] == "true" || req.query["watch"] == "1" {
                    return try startWatch(target, req)
                }
                return try list(target, req)
            }
            return try get(target, req)
        case "POST":
            guard target.name == nil else { throw KubeAPIError.methodNotAllowed(req.method) }
            return try await create(target, req)
        case "PUT":
            guard target.name != nil else { throw KubeAPIError.methodNotAllowed(req.method) }
            return try await update(target, req, patchType: nil)
        case "PATCH":
            guard target.name != nil else { throw KubeAPIError.methodNotAllowed(req.method) }
            return try await update(target, req, patchType: req.headers["content-type"] ?? "")
        case "DELETE":
            if target.name == nil { return try await deleteCollection(target, req) }
            return try await delete(target, req)
        default:
            throw KubeAPIError.methodNotAllowed(req.method)
        }
    }

    func discovery(_ s: [String]) -> JSONValue? {
        switch s.count {
        case 1 where s[0] == "version": return Discovery.version()
        case 1 where s[0] == "api": return Discovery.apiVersions(serverAddress: serverAddress)
        case 1 where s[0] == "apis": return Discovery.groupList(catalog)
        case 2 where s[0] == "api": return Discovery.resourceList(group: "", version: s[1], catalog)
        case 2 where s[0] == "apis": return Discovery.group(s[1], catalog)
        case 3 where s[0] == "apis": return Discovery.resourceList(group: s[1], version: s[2], catalog)
        case 2 where s == ["openapi", "v3"]: return OpenAPI.root(catalog)
        case 4... where s[0] == "openapi" && s[1] == "v3":
            return OpenAPI.groupVersion(s[2...].joined(separator: "/"), catalog)
        default: return nil
        }
    }

    // MARK: - reads

    enum Format { case full, table, partial }

    static func format(_ req: APIRequest) -> Format {
        let accept = req.headers["accept"] ?? ""
        let first = accept.split(separator: ",").first.map(String.init) ?? ""
        if first.contains("as=Table") { return .table }
        if first.contains("as=PartialObjectMetadata") { return .partial }
        return .full
    }

    func get(_ t: RequestTarget, _ req: APIRequest) throws(KubeAPIError) -> APIResponse {
        let name = t.name ?? ""
        let object = try store.get(t.type, namespace: t.namespace ?? "", name: name)
        switch t.subresource {
        case "": break
        case "status": return .json(object)
        case "scale" where t.type.hasScale: return .json(ScaleView.scale(of: object, paths: t.type.scalePaths))
        default: throw KubeAPIError.notFoundPath(req.path)
        }
        switch Self.format(req) {
        case .full: return .json(object)
        case .partial: return .json(PartialMetadata.object(object))
        case .table:
            return .json(
                Tables.table(
                    t.type, [object], resourceVersion: object.resourceVersion,
                    includeObject: req.query["includeObject"], now: Date()))
        }
    }

    func list(_ t: RequestTarget, _ req: APIRequest) throws(KubeAPIError) -> APIResponse {
        let labels = try LabelQuery.parse(req.query["labelSelector"] ?? "")
        let fields = try FieldQuery.parse(req.query["fieldSelector"] ?? "")
        let page = try store.list(
            t.type, namespace: t.namespace, labels: labels, fields: fields,
            limit: req.query["limit"].flatMap(Int.init), continueToken: req.query["continue"])
        let rv = String(page.resourceVersion)
        switch Self.format(req) {
        case .table:
            return .json(
                Tables.table(
                    t.type, page.items, resourceVersion: rv, continueToken: page.next,
                    includeObject: req.query["includeObject"], now: Date()))
        case .partial:
            return .json(PartialMetadata.list(page.items, resourceVersion: rv, continueToken: page.next))
        case .full:
            var meta: [String: JSONValue] = ["resourceVersion": .string(rv)]
            if let next = page.next { meta["continue"] = .string(next) }
            if let remaining = page.remaining { meta["remainingItemCount"] = .int(Int64(remaining)) }
            return .json([
                "kind": .string("\(t.type.kind)List"), "apiVersion": .string(t.type.apiVersion),
                "metadata": .object(meta), "items": .array(page.items),
            ])
        }
    }

    /// Namespace labels for webhook namespaceSelectors (nil if the namespace does not exist yet).
    func namespaceLabels(_ namespace: String) -> [String: String]? {
        (try? store.get(ResourceCatalog.namespaces, namespace: "", name: namespace))?.labels
    }

    var webhookConfigurations: [JSONValue] {
        guard let t = ResourceCatalog.named("validatingwebhookconfigurations", group: "admissionregistration.k8s.io")
        else { return [] }
        return store.all(t, namespace: nil)
    }

    /// Serves what the stored CRDs define, and deletes the objects of a type no CRD serves
    /// any more (the apiserver's finalizer does that before the CRD goes away).
    func syncCustomResources() {
        let crds = store.all(ResourceCatalog.customResourceDefinitions, namespace: nil)
        let fingerprint = crds.map { "\($0.name)@\($0.resourceVersion)" }
        guard fingerprint != crdFingerprint else { return }
        crdFingerprint = fingerprint
        let old = catalog
        catalog = CustomResources.catalog(crds)
        let served = Set(catalog.all.map(\.storageKey))
        for storage in Set(old.all.map(\.storageKey)) where !served.contains(storage) {
            store.removeAll(storage: storage)
        }
    }

    /// Runs the controllers (when on) and feeds new events to watchers.
    func afterWrite() async {
        syncCustomResources()
        if controllersEnabled { await runControllers() }
        broadcast()
    }
}
