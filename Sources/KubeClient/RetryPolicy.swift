import Foundation
import KubeAPIMachinery

/// When and how long to wait before repeating a safe request (GET, list).
///
/// Why pure: backoff with jitter and `Retry-After` parsing are easy to get subtly wrong and
/// must be tested without sleeping.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts including the first; 1 disables retries.
    public var maxAttempts: Int
    /// Between attempts: doubling from the base delay, capped, with full jitter (a delay
    /// in [backoff/2, backoff]).
    public var backoff: Backoff
    /// Upper bound for a server's `Retry-After`, in seconds (a server asking for an hour should
    /// not hang a command line).
    public var maxRetryAfter: TimeInterval

    /// - Parameters:
    ///   - baseDelay: delay before the first retry, doubled each time, in seconds.
    ///   - maxDelay: upper bound for the computed backoff, in seconds.
    public init(
        maxAttempts: Int = 5, baseDelay: TimeInterval = 0.2, maxDelay: TimeInterval = 5,
        maxRetryAfter: TimeInterval = 30
    ) {
        self.maxAttempts = maxAttempts
        self.backoff = Backoff(initial: .seconds(baseDelay), factor: 2, maximum: .seconds(maxDelay), jitter: 0.5)
        self.maxRetryAfter = maxRetryAfter
    }

    /// True for statuses worth repeating: 429 Too Many Requests, 503 Service Unavailable, and
    /// 500/504 only when the server sent `Retry-After` (client-go's rule).
    public static func isRetryable(status: Int, hasRetryAfter: Bool) -> Bool {
        status == 429 || status == 503 || (hasRetryAfter && (status == 500 || status == 504))
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1). A server's `Retry-After`
    /// wins (capped); otherwise the backoff, where `unit` in 0...1 supplies the jitter.
    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval?, unit: Double) -> TimeInterval {
        if let retryAfter { return min(max(retryAfter, 0), maxRetryAfter) }
        return backoff.delay(attempt: attempt, unit: unit).secondsValue
    }

    /// Parses `Retry-After`: delta seconds, or an HTTP date relative to `now`.
    public static func parseRetryAfter(_ value: String?, now: Date = Date()) -> TimeInterval? {
        guard let value = value?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        if let seconds = Int(value) { return TimeInterval(max(seconds, 0)) }
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        guard let date = formatter.date(from: value) else { return nil }
        return max(date.timeIntervalSince(now), 0)
    }
}
