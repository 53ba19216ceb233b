/// The kube-singleton release this build belongs to: one constant for `version` commands,
/// the krew manifest (`make dist` reads it) and the User-Agent.
public enum KubeSingletonVersion {
    public static let current = "0.1.0"
}
