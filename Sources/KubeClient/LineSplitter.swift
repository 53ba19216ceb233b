import Foundation

/// Splits a byte stream into newline-terminated lines, across arbitrary chunk boundaries.
///
/// Why pure: watch responses arrive in chunks that cut events anywhere; this is tested alone.
struct LineSplitter {
    private var buffer = Data()

    /// Appends `chunk` and returns every complete, non-blank line (without its newline).
    mutating func append(_ chunk: Data) -> [Data] {
        buffer.append(chunk)
        var lines: [Data] = []
        var start = buffer.startIndex
        while let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
            let line = buffer[start..<newline]
            if !Self.isBlank(line) { lines.append(Data(line)) }
            start = buffer.index(after: newline)
        }
        if start != buffer.startIndex { buffer = Data(buffer[start...]) }
        return lines
    }

    /// Whatever is left without a final newline (nil when blank).
    mutating func finish() -> Data? {
        defer { buffer = Data() }
        return Self.isBlank(buffer) ? nil : buffer
    }

    private static func isBlank(_ bytes: Data) -> Bool {
        !bytes.contains { $0 != UInt8(ascii: " ") && $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\t") }
    }
}
