import Foundation

/// An exec credential plugin that failed to run or printed something unusable.
///
/// Why a separate type: the fix is in the plugin (log in again, install the tool), not in the
/// request, and the user needs the command name and its stderr to act.
public struct ExecPluginError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The configured `command`.
    public var command: String
    /// The user entry (`users[].name`) the plugin belongs to.
    public var user: String
    public var message: String
    public init(command: String, user: String, message: String) {
        self.command = command
        self.user = user
        self.message = message
    }
    public var description: String {
        "error: exec credential plugin \"\(command)\" for user \"\(user)\": \(message)"
    }
}
