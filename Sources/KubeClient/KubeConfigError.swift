import Foundation

/// A kubeconfig or in-cluster configuration that cannot be used.
///
/// Why: the message always names the file, context, cluster or user at fault and the reason,
/// because "invalid configuration" alone sends users on a hunt through several merged files.
public struct KubeConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { "error: \(message)" }
}
