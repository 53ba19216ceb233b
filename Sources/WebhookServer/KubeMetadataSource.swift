import SingletonCore

/// The production `MetadataSource`: the API server through KubeClient.
/// TEMPORARY: KubeClient is not merged yet; until then `--parent-lookup watch` reports that
/// API access is unavailable in this build.
public struct KubeMetadataSource {
    public static func make(kubeconfig: String?) throws -> any MetadataSource {
        throw MetadataSourceError.failed("this build has no Kubernetes API client yet; use --parent-lookup none")
    }
}
