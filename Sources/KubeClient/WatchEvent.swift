import Foundation
import KubeAPIMachinery

/// One event of a watch stream.
///
/// Why raw `Data`: consumers decode only what they need (a metadata cache decodes metadata) and
/// keep unknown fields intact.
public struct WatchEvent: Sendable {
    /// The event types the API server sends.
    public enum EventType: String, Sendable, Equatable {
        case added = "ADDED"
        case modified = "MODIFIED"
        case deleted = "DELETED"
        /// Only `metadata.resourceVersion` is meaningful: a checkpoint to resume from.
        case bookmark = "BOOKMARK"
        /// A `metav1.Status`. `KubeClient.watch` never yields these: it ends the stream by throwing
        /// the decoded `KubeAPIError` (`isGone` for 410, meaning "relist").
        case error = "ERROR"
    }

    public var type: EventType
    /// The object's JSON (for ERROR, the Status).
    public var object: Data
    /// `object.metadata.resourceVersion`, the point to resume a watch from.
    public var resourceVersion: String?

    public init(type: EventType, object: Data, resourceVersion: String?) {
        self.type = type
        self.object = object
        self.resourceVersion = resourceVersion
    }

    /// Decodes one line of a watch response (`{"type":"ADDED","object":{...}}`).
    public static func decode(line: Data) throws -> WatchEvent {
        guard let json = try? JSONSerialization.jsonObject(with: line) as? [String: Any],
            let typeText = json["type"] as? String, let object = json["object"]
        else {
            throw KubeAPIError(
                code: 0, reason: "BadWatchEvent",
                message:
                    "the server sent a watch event that is not {\"type\",\"object\"} JSON: \(String(decoding: line.prefix(200), as: UTF8.self))"
            )
        }
        guard let type = EventType(rawValue: typeText) else {
            throw KubeAPIError(code: 0, reason: "BadWatchEvent", message: "unknown watch event type \"\(typeText)\"")
        }
        let objectData = (try? JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])) ?? Data()
        let metadata = (object as? [String: Any])?["metadata"] as? [String: Any]
        return WatchEvent(type: type, object: objectData, resourceVersion: metadata?["resourceVersion"] as? String)
    }
}
