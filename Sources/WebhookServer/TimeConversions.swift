import HTTPSServerKit

extension TimeAmount {
    /// NIO's TimeAmount from a Swift Duration (nanosecond precision).
    init(_ duration: Duration) {
        let c = duration.components
        self = .nanoseconds(c.seconds * 1_000_000_000 + c.attoseconds / 1_000_000_000)
    }
}
