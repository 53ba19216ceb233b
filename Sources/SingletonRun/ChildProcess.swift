import CSpawn
import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// How the command ended.
public enum ChildExit: Sendable, Equatable {
    case exited(Int32)
    case signaled(Int32)

    /// The wrapper's exit status for it, as a shell reports it (128 + signal).
    public var exitStatus: Int32 {
        switch self {
        case .exited(let code): return code
        case .signaled(let signal): return 128 + signal
        }
    }
}

public struct SpawnError: Error, CustomStringConvertible {
    public var description: String
}

/// The command, running in a process group of its own.
///
/// Why a dedicated thread forks and then waits: `PR_SET_PDEATHSIG` fires when the thread
/// that forked exits, not the process; a thread of the cooperative pool could be retired
/// while the command runs and take the command with it. This thread lives exactly as long
/// as the command.
final class ChildProcess: Sendable {
    let pid: pid_t

    private init(pid: pid_t) { self.pid = pid }

    /// Starts `arguments[0]` (searched in `PATH` as a shell would) with `environment`; calls
    /// `onExit` once from the waiting thread when the command ends.
    static func start(
        _ arguments: [String], environment: [String: String], onExit: @escaping @Sendable (ChildExit) -> Void
    ) throws -> ChildProcess {
        guard let program = arguments.first else { throw SpawnError(description: "no command given") }
        guard let path = resolve(program, path: environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin") else {
            throw SpawnError(description: "\(program): command not found")
        }
        let started = DispatchSemaphore(value: 0)
        let outcome = SpawnOutcome()
        let envList = environment.map { "\($0.key)=\($0.value)" }
        let thread = Thread {
            let pid = withCStrings(arguments) { argv in
                withCStrings(envList) { envp in
                    var failure: Int32 = 0
                    let pid = ks_spawn(path, argv, envp, &failure)
                    if pid < 0 { outcome.error = "\(program): \(String(cString: strerror(failure)))" }
                    return pid
                }
            }
            outcome.pid = pid
            started.signal()
            guard pid > 0 else { return }
            let status = ks_wait(pid)
            onExit(status >= 0 ? .exited(status) : status > -1000 ? .signaled(-status) : .exited(127))
        }
        thread.name = "singleton-run child"
        thread.start()
        started.wait()
        guard outcome.pid > 0 else { throw SpawnError(description: outcome.error ?? "\(program): could not start") }
        return ChildProcess(pid: outcome.pid)
    }

    /// Sends `signal` to the command's whole process group.
    func signalGroup(_ signal: Int32) {
        _ = kill(-pid, signal)
    }

    /// `PATH` search as `execvp` does it, done before forking (the search allocates).
    static func resolve(_ program: String, path: String) -> String? {
        if program.contains("/") { return program }
        for directory in path.split(separator: ":", omittingEmptySubsequences: false) {
            let candidate = (directory.isEmpty ? "." : String(directory)) + "/" + program
            if access(candidate, X_OK) == 0 { return candidate }
        }
        return nil
    }
}

/// Written by the spawning thread before it signals the semaphore, read after the wait.
private final class SpawnOutcome: @unchecked Sendable {
    var pid: pid_t = -1
    var error: String?
}

/// NULL-terminated C string arrays valid for the duration of `body`.
private func withCStrings<R>(_ strings: [String], _ body: ([UnsafeMutablePointer<CChar>?]) -> R) -> R {
    var pointers: [UnsafeMutablePointer<CChar>?] = strings.map { strdup($0) }
    pointers.append(nil)
    defer { for pointer in pointers { free(pointer) } }
    return body(pointers)
}
