import Foundation

/// When and how long to wait before repeating a safe request (GET, list).
///
/// Why pure: backoff with jitter and `Retry-After` parsing are easy to get subtly wrong and
/// must be tested without sleeping.
public struct RetryPolicy: Sendable, Equatable {
    /// Total attempts including the first; 1 disables retries.
    public var maxAttempts: Int
    /// Delay before the first retry, doubled each time, in seconds.
    public var baseDelay: TimeInterval
    /// Upper bound for the computed backoff, in seconds.
    public var maxDelay: TimeInterval
    /// Upper bound for a server's `Retry-After`, in seconds (a server asking for an hour should
    /// not hang a command line).
    public var maxRetryAfter: TimeInterval

    public init(maxAttempts: Int = 5, baseDelay: TimeInterval = 0.2, maxDelay: TimeInterval = 5,
                maxRetryAfter: TimeInterval = 30) {
        self.maxAttempts = maxAttempts
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxRetryAfter = maxRetryAfter
    }

    /// True for statuses worth repeating: 429 Too Many Requests, 503 Service Unavailable, and
    /// 500/504 only when the server sent `Retry-After` (client-go's rule).
    public static func isRetryable(status: Int, hasRetryAfter: Bool) -> Bool {
        status == 429 || status == 503 || (hasRetryAfter && (status == 500 || status == 504))
    }

    /// The wait before attempt `attempt + 1` (attempt counts from 1). A server's `Retry-After`
    /// wins (capped); otherwise exponential backoff with full jitter: a random value in
    /// [backoff/2, backoff], where `unit` in 0...1 supplies the randomness.
    public func delay(afterAttempt attempt: Int, retryAfter: TimeInterval?, unit: Double) -> TimeInterval {
        if let retryAfter { return min(max(retryAfter, 0), maxRetryAfter) }
        let exponent = Double(max(attempt - 1, 0))
        let backoff = min(baseDelay * pow(2, exponent), maxDelay)
        let fraction = min(max(unit, 0), 1)
        return backoff / 2 + backoff / 2 * fraction
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
