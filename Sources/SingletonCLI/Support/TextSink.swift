import Foundation
import Synchronization

/// Where a command writes text. Commands never touch stdout/stderr directly, so tests
/// capture both streams and assert on what a user would see.
public protocol TextSink: Sendable {
    func write(_ text: String)
}

extension TextSink {
    /// Writes `text` followed by a newline.
    public func line(_ text: String = "") { write(text + "\n") }
}

/// A process stream (stdout or stderr).
public struct FileSink: TextSink {
    let handle: FileHandle
    public init(_ handle: FileHandle) { self.handle = handle }
    public static var standardOutput: FileSink { FileSink(.standardOutput) }
    public static var standardError: FileSink { FileSink(.standardError) }
    public func write(_ text: String) { handle.write(Data(text.utf8)) }
}

/// Collects text in memory: the test double for a terminal.
public final class BufferSink: TextSink {
    private let storage = Mutex("")
    public init() {}
    public func write(_ text: String) { storage.withLock { $0 += text } }
    /// Everything written so far.
    public var text: String { storage.withLock { $0 } }
}
