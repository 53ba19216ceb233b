import Foundation

/// `metav1.ListMeta`: the metadata every list (and `Status`) carries.
///
/// Why here: a list's `resourceVersion` is where a watch starts, and `continue` is how a
/// paginated list goes on; the client, the sandbox and the Status body all speak it.
public struct ListMeta: Sendable, Equatable, Codable {
    /// `metav1.ShardInfo`: which shard of the collection a sharded list holds.
    public struct ShardInfo: Sendable, Equatable, Codable {
        public var selector: String?
        public init(selector: String? = nil) { self.selector = selector }
    }

    public var resourceVersion: String?
    /// The token for the next page; absent (or empty) on the last one.
    public var `continue`: String?
    /// How many items are left after this page, when the server knows.
    public var remainingItemCount: Int64?
    /// Deprecated and no longer set by servers; decoded so nothing read is lost.
    public var selfLink: String?
    /// Set when the list was asked for one shard only.
    public var shardInfo: ShardInfo?

    public init(
        resourceVersion: String? = nil, continue continueToken: String? = nil,
        remainingItemCount: Int64? = nil, selfLink: String? = nil, shardInfo: ShardInfo? = nil
    ) {
        self.resourceVersion = resourceVersion
        self.continue = continueToken
        self.remainingItemCount = remainingItemCount
        self.selfLink = selfLink
        self.shardInfo = shardInfo
    }
}

/// `metav1.Status`: what the API server answers instead of an object when a request fails
/// (and what a watch sends as its ERROR event).
///
/// Optional fields are omitted when encoding, as the server's `omitempty` does, so a body
/// built here reads like the apiserver's.
public struct Status: Sendable, Equatable, Codable {
    /// One entry of `details.causes`: which field was wrong and why.
    public struct Cause: Sendable, Equatable, Codable {
        /// `CauseType` (`FieldValueInvalid`, `FieldValueRequired`, ...).
        public var reason: String?
        public var message: String?
        /// The field path (`spec.replicas`).
        public var field: String?

        public init(reason: String? = nil, message: String? = nil, field: String? = nil) {
            self.reason = reason
            self.message = message
            self.field = field
        }
    }

    /// `metav1.StatusDetails`: which object the failure is about, and why in detail.
    public struct Details: Sendable, Equatable, Codable {
        public var name: String?
        public var group: String?
        /// The kind or, for most errors built from a resource, the resource (`deployments`).
        public var kind: String?
        public var uid: String?
        public var causes: [Cause]?
        /// The delay the server suggests before trying again.
        public var retryAfterSeconds: Int?

        public init(
            name: String? = nil, group: String? = nil, kind: String? = nil, uid: String? = nil,
            causes: [Cause]? = nil, retryAfterSeconds: Int? = nil
        ) {
            self.name = name
            self.group = group
            self.kind = kind
            self.uid = uid
            self.causes = causes
            self.retryAfterSeconds = retryAfterSeconds
        }
    }

    public var kind: String?
    public var apiVersion: String?
    public var metadata: ListMeta?
    /// `Success` or `Failure`.
    public var status: String?
    public var message: String?
    /// Machine-readable reason (`NotFound`, `Conflict`, `Forbidden`, `Expired`, ...).
    public var reason: String?
    public var details: Details?
    /// The HTTP status of the failure.
    public var code: Int?

    public init(
        kind: String? = "Status", apiVersion: String? = "v1", metadata: ListMeta? = ListMeta(),
        status: String? = nil, message: String? = nil, reason: String? = nil,
        details: Details? = nil, code: Int? = nil
    ) {
        self.kind = kind
        self.apiVersion = apiVersion
        self.metadata = metadata
        self.status = status
        self.message = message
        self.reason = reason
        self.details = details
        self.code = code
    }

    /// Decodes a Status body; nil when the bytes are not JSON or not `kind: Status`.
    public static func decode(_ body: Data) -> Status? {
        guard let status = try? JSONDecoder().decode(Status.self, from: body), status.kind == "Status" else {
            return nil
        }
        return status
    }
}
