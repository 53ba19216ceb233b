import Foundation
import Synchronization

/// Helpers shared by the test targets (not shipped): one copy instead of one per target.

/// A count shared with Sendable closures (handlers, callbacks).
public final class Counter: Sendable {
    private let count = Mutex(0)
    public init() {}
    public func increment() { count.withLock { $0 += 1 } }
    /// Counts one more and returns the new count.
    public func next() -> Int {
        count.withLock {
            $0 += 1; return $0
        }
    }
    public var value: Int { count.withLock { $0 } }
}

/// Lets a test wait for a handler-side event without sleeping.
public actor Signal {
    private var fired = false
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private var bounded: [Int: CheckedContinuation<Bool, Never>] = [:]
    private var nextWaiter = 0
    public init() {}
    public func fire() {
        fired = true
        for w in waiters { w.resume() }
        waiters.removeAll()
        for (_, w) in bounded { w.resume(returning: true) }
        bounded.removeAll()
    }
    public func wait() async {
        if fired { return }
        await withCheckedContinuation { waiters.append($0) }
    }
    /// Waits at most `limit`; true when the signal fired. For what may never happen (a task
    /// never resumed): the test then fails instead of hanging the run.
    public func wait(upTo limit: Duration) async -> Bool {
        if fired { return true }
        let id = nextWaiter
        nextWaiter += 1
        let timer = Task {
            try? await Task.sleep(for: limit)
            self.expire(id)
        }
        defer { timer.cancel() }
        return await withCheckedContinuation { bounded[id] = $0 }
    }
    private func expire(_ id: Int) {
        bounded.removeValue(forKey: id)?.resume(returning: false)
    }
}

/// A small seeded generator, so randomised tests are reproducible run to run.
public struct SplitMix64: RandomNumberGenerator {
    public var state: UInt64
    public init(seed: UInt64) { state = seed }
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Runs blocking work (waiting for a child process, reading its pipe) on a Dispatch thread
/// and awaits it. Every test shares the cooperative pool, one thread per core: a test that
/// blocks one of them stalls the continuations of all the others, and the servers they talk
/// to then see clients that stopped mid-conversation.
public func offThePool<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async { continuation.resume(with: Result { try work() }) }
    }
}

/// What a finished subprocess printed and returned.
public struct ProcessOutput: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String
}

/// Runs a program to completion without blocking the cooperative thread pool: tests run it
/// against in-process servers (the sandbox) that need that pool to answer meanwhile. Output
/// goes through files, so a chatty program never blocks on a full pipe.
public func runProcess(
    _ executable: String, _ arguments: [String], environment: [String: String],
    stdin: String? = nil
) async throws -> ProcessOutput {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("proc-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: dir) }
    let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
    _ = FileManager.default.createFile(atPath: out.path, contents: nil)
    _ = FileManager.default.createFile(atPath: err.path, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    process.environment = environment
    process.standardOutput = try FileHandle(forWritingTo: out)
    process.standardError = try FileHandle(forWritingTo: err)
    if let stdin {
        let input = dir.appendingPathComponent("in")
        try Data(stdin.utf8).write(to: input)
        process.standardInput = try FileHandle(forReadingFrom: input)
    }
    let status: Int32 = try await withCheckedThrowingContinuation { cont in
        process.terminationHandler = { cont.resume(returning: $0.terminationStatus) }
        do { try process.run() } catch { cont.resume(throwing: error) }
    }
    return ProcessOutput(
        status: status, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
        stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? "")
}
