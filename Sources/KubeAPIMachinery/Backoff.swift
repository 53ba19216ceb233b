import Foundation

/// Exponential backoff: `initial`, multiplied by `factor` each attempt, capped at `maximum`,
/// with an optional random share (`jitter`) taken off the top so that clients which failed
/// together do not retry together.
///
/// Why pure: the delay is a function of the attempt number and a random unit supplied by the
/// caller, so schedules are tested without sleeping. The one backoff of the project: the
/// client's request retries, the reflector's reconnects and retry-on-conflict all use it.
public struct Backoff: Sendable, Equatable {
    /// Delay before the first retry.
    public var initial: Duration
    /// Growth per attempt; 1 keeps the delay constant.
    public var factor: Double
    /// Upper bound of the grown delay.
    public var maximum: Duration
    /// Share of the delay (0...1) that is random: the delay lands in `[d * (1 - jitter), d]`,
    /// so it never exceeds `maximum`.
    public var jitter: Double

    public init(
        initial: Duration = .milliseconds(200), factor: Double = 2, maximum: Duration = .seconds(30),
        jitter: Double = 0
    ) {
        self.initial = initial
        self.factor = factor
        self.maximum = maximum
        self.jitter = jitter
    }

    /// Retry-on-conflict's schedule, as client-go's `retry.DefaultBackoff`: 10 ms growing
    /// five-fold with 10% jitter, capped at one second.
    public static let conflictRetry = Backoff(initial: .milliseconds(10), factor: 5, maximum: .seconds(1), jitter: 0.1)

    /// The delay before retry number `attempt` (1-based: attempt 1 waits `initial`). `unit`
    /// in 0...1 supplies the randomness when `jitter` is set (1 gives the full delay).
    public func delay(attempt: Int, unit: Double = 1) -> Duration {
        var delay = min(initial, maximum)
        var step = 1
        while step < min(attempt, 64), delay < maximum, factor > 1 {
            delay = grown(delay)
            step += 1
        }
        delay = min(delay, maximum)
        let share = min(max(jitter, 0), 1)
        guard share > 0 else { return delay }
        return delay * (1 - share) + delay * (share * min(max(unit, 0), 1))
    }

    /// `delay * factor`, exact for whole factors (so 100 ms doubles to exactly 200 ms).
    private func grown(_ delay: Duration) -> Duration {
        if factor == factor.rounded(), factor < 1_000_000 { return delay * Int(factor) }
        return delay * factor
    }
}

extension Duration {
    /// The duration in seconds, for APIs that take a `TimeInterval` and for metrics.
    public var secondsValue: Double {
        Double(components.seconds) + Double(components.attoseconds) / 1e18
    }
}
