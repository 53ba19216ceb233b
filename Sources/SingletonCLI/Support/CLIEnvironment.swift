import Foundation
import SingletonCore

/// Everything a command touches outside its arguments: streams, stdin, the clock, the
/// process environment and the way to reach a cluster. `main.swift` passes the real ones;
/// tests pass buffers, a fixed clock and a sandbox connection.
public struct CLIEnvironment: Sendable {
    public var out: any TextSink
    public var err: any TextSink
    public var readStandardInput: @Sendable () -> Data
    public var now: @Sendable () -> Date
    public var variables: [String: String]
    public var connector: any KubeConnector
    /// The words the user typed after `kubectl singleton`, exactly: hints that tell the
    /// user to rerun repeat them rather than a command of our making.
    public var arguments: [String] = []

    public init(
        out: any TextSink, err: any TextSink, readStandardInput: @escaping @Sendable () -> Data = { Data() },
        now: @escaping @Sendable () -> Date = { Date() }, variables: [String: String] = [:],
        connector: any KubeConnector
    ) {
        self.out = out
        self.err = err
        self.readStandardInput = readStandardInput
        self.now = now
        self.variables = variables
        self.connector = connector
    }
}

/// A failure a command reports to the user: printed as `error: ...` on stderr.
public struct CLIError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public var exitCode: Int32
    public init(_ message: String, exitCode: Int32 = 1) {
        self.message = message
        self.exitCode = exitCode
    }
    public var description: String { message }
}

/// A subcommand that runs against an injected environment. Each one completes its options
/// (defaults from the kubeconfig), is validated by the argument parser, then runs.
protocol PluginCommand {
    func execute(in env: CLIEnvironment) async throws -> Int32
}

/// The plugin's version, printed by `version` and matched by the krew manifest.
public enum PluginVersion {
    public static let current = "v" + KubeSingletonVersion.current
}
