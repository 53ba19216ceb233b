import KubeClient

/// Connects commands to a cluster through `KubeClient` (wired when KubeClient lands).
public struct KubeClientConnector: KubeConnector {
    let environment: [String: String]
    public init(environment: [String: String]) { self.environment = environment }
    public func connect(_ options: KubeOptions) throws -> any KubeAPI {
        throw CLIError("this build has no Kubernetes API client yet")
    }
}
