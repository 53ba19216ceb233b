import Foundation

/// The result of a list after following every `continue` token: the raw items, untouched, and
/// the list's resourceVersion (the point to start a watch from).
public struct KubeList: Sendable {
    /// Each item's JSON exactly as the server sent it (unknown fields kept).
    public var items: [Data]
    /// `metadata.resourceVersion` of the (last page of the) list.
    public var resourceVersion: String
    /// `kind` of the list (`DeploymentList`, `PartialObjectMetadataList`, ...).
    public var kind: String?
    /// `apiVersion` of the list.
    public var apiVersion: String?

    public init(items: [Data], resourceVersion: String, kind: String? = nil, apiVersion: String? = nil) {
        self.items = items
        self.resourceVersion = resourceVersion
        self.kind = kind
        self.apiVersion = apiVersion
    }

    /// The merged list as one JSON document: `{"apiVersion","kind","metadata":{"resourceVersion"},"items":[...]}`.
    public func jsonData() -> Data {
        var out = Data("{".utf8)
        if let apiVersion { out += Data("\"apiVersion\":\(Self.quoted(apiVersion)),".utf8) }
        if let kind { out += Data("\"kind\":\(Self.quoted(kind)),".utf8) }
        out += Data("\"metadata\":{\"resourceVersion\":\(Self.quoted(resourceVersion))},\"items\":[".utf8)
        for (index, item) in items.enumerated() {
            if index > 0 { out += Data(",".utf8) }
            out += item
        }
        out += Data("]}".utf8)
        return out
    }

    private static func quoted(_ text: String) -> String {
        let data = (try? JSONSerialization.data(withJSONObject: [text], options: [.fragmentsAllowed])) ?? Data("[\"\"]".utf8)
        return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
    }
}
