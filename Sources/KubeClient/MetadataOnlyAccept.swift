/// The `Accept` headers for metadata-only requests (client-go's metadata client).
///
/// Why: the webhook's parent cache only needs names, uids and annotations; asking for
/// `PartialObjectMetadata` keeps specs and statuses off the wire.
public enum MetadataOnlyAccept {
    /// For lists.
    public static let list = "application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json"
    /// For single objects and watch events.
    public static let object = "application/json;as=PartialObjectMetadata;g=meta.k8s.io;v=v1,application/json"
}
