import Foundation
import Logging

/// swift-log handler writing one JSON object per line: time, level, label, message and
/// the metadata as string fields. Log collectors parse it without configuration.
public struct JSONLogHandler: LogHandler {
    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    private let label: String
    private let sink: @Sendable (Data) -> Void

    /// Writes to standard error unless `sink` is given (tests capture lines with it).
    public init(label: String, level: Logger.Level = .info, sink: (@Sendable (Data) -> Void)? = nil) {
        self.label = label
        self.logLevel = level
        self.sink = sink ?? { data in FileHandle.standardError.write(data) }
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let level = event.level, message = event.message, explicit = event.metadata
        var fields: [String: String] = [:]
        for (k, v) in metadata { fields[k] = "\(v)" }
        if let provided = metadataProvider?.get() { for (k, v) in provided { fields[k] = "\(v)" } }
        if let explicit { for (k, v) in explicit { fields[k] = "\(v)" } }
        fields["time"] = Self.timestamp()
        fields["level"] = level.rawValue
        fields["logger"] = label
        fields["msg"] = message.description
        if let error = event.error { fields["error"] = "\(error)" }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        guard var data = try? encoder.encode(fields) else { return }
        data.append(0x0A)
        sink(data)
    }

    private static func timestamp() -> String {
        Date().formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
