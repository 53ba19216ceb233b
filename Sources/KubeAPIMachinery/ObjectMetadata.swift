/// The `metav1.ObjectMeta` fields every edge reads from a raw object, as plain values ("" or
/// empty when absent), so code that keeps objects whole (the sandbox's store, the plugin's
/// reads) names them the same way.
extension JSONValue {
    /// `metadata.name`.
    public var name: String { self[path: "metadata", "name"]?.stringValue ?? "" }
    /// `metadata.namespace`; "" for cluster-scoped objects.
    public var namespace: String { self[path: "metadata", "namespace"]?.stringValue ?? "" }
    public var uid: String { self[path: "metadata", "uid"]?.stringValue ?? "" }
    public var resourceVersion: String { self[path: "metadata", "resourceVersion"]?.stringValue ?? "" }
    /// `metadata.labels` as a string map (non-string values are ignored).
    public var labels: [String: String] {
        (self[path: "metadata", "labels"]?.objectValue ?? [:]).compactMapValues(\.stringValue)
    }
}
