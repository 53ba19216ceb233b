import Foundation
import Synchronization

/// Runs an exec credential plugin as kubectl does.
///
/// Why off the cooperative pool: the plugin may take seconds (a cloud CLI fetching a token), and
/// `Process` waiting blocks its thread, so it runs on a dedicated dispatch queue.
struct ExecPluginRunner: Sendable {
    var environment: [String: String]
    /// Whether stdin is a terminal the plugin could talk to.
    var stdinIsTerminal: Bool
    var keyPairCheck: ClientKeyPairCheck = .atHandshake

    private static let queue = DispatchQueue(label: "kube-client.exec", attributes: .concurrent)

    func run(_ config: ExecConfig, user: String, cluster: ExecClusterInfo?) async throws -> ExecCredential {
        let mode = config.interactiveMode ?? .ifAvailable
        if mode == .always, !stdinIsTerminal {
            throw ExecPluginError(
                command: config.command, user: user,
                message: "interactiveMode is Always but standard input is not a terminal")
        }
        let interactive = mode != .never && stdinIsTerminal
        guard let executable = resolve(config.command) else {
            var message = "command not found (looked in PATH=\(environment["PATH"] ?? ""))"
            if let hint = config.installHint, !hint.isEmpty { message += "\n\(hint)" }
            throw ExecPluginError(command: config.command, user: user, message: message)
        }
        var env = environment
        for variable in config.env { env[variable.name] = variable.value }
        env["KUBERNETES_EXEC_INFO"] = ExecCredential.execInfo(
            apiVersion: config.apiVersion, interactive: interactive, cluster: cluster)
        let finalEnv = env
        let output: (status: Int32, stdout: Data, stderr: Data) = try await withCheckedThrowingContinuation {
            continuation in
            Self.queue.async {
                let process = Process()
                process.executableURL = URL(fileURLWithPath: executable)
                process.arguments = config.args
                process.environment = finalEnv
                let stdout = Pipe()
                let stderr = Pipe()
                process.standardOutput = stdout
                process.standardError = interactive ? FileHandle.standardError : stderr
                process.standardInput = interactive ? FileHandle.standardInput : FileHandle.nullDevice
                do {
                    try process.run()
                } catch {
                    continuation.resume(
                        throwing: ExecPluginError(
                            command: config.command, user: user,
                            message: "cannot start \(executable): \(error.localizedDescription)"))
                    return
                }
                // Drain stderr concurrently so a chatty plugin cannot block on a full pipe.
                let errorData = ErrorCapture()
                let group = DispatchGroup()
                if !interactive {
                    group.enter()
                    Self.queue.async {
                        errorData.set(stderr.fileHandleForReading.readDataToEndOfFile())
                        group.leave()
                    }
                }
                let data = stdout.fileHandleForReading.readDataToEndOfFile()
                process.waitUntilExit()
                group.wait()
                continuation.resume(returning: (process.terminationStatus, data, errorData.data))
            }
        }
        guard output.status == 0 else {
            let text = String(decoding: output.stderr.suffix(2000), as: UTF8.self).trimmingCharacters(
                in: .whitespacesAndNewlines)
            throw ExecPluginError(
                command: config.command, user: user,
                message: "exited with status \(output.status)" + (text.isEmpty ? "" : ": \(text)"))
        }
        return try ExecCredential.parse(
            output.stdout, apiVersion: config.apiVersion, command: config.command, user: user,
            keyPairCheck: keyPairCheck)
    }

    /// Absolute paths as they are; names with a `/` were made absolute at load; others via PATH.
    func resolve(_ command: String) -> String? {
        if command.contains("/") {
            return FileManager.default.isExecutableFile(atPath: command) ? command : nil
        }
        for directory in (environment["PATH"] ?? "").split(separator: ":") {
            let candidate = "\(directory)/\(command)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}

private final class ErrorCapture: Sendable {
    private let value = Mutex(Data())
    func set(_ data: Data) { value.withLock { $0 = data } }
    var data: Data { value.withLock { $0 } }
}
