/// Runs `body` until it succeeds, fails with an error `shouldRetry` refuses, or `maxAttempts`
/// attempts have been made (the last error is then thrown), sleeping `backoff` between
/// attempts, as client-go's `retry.OnError`.
///
/// - Parameters:
///   - sleep: how to wait; tests pass one that records the delays instead of sleeping.
///   - random: the jitter's randomness, a value in 0...1.
public func retryOnError<T>(
    backoff: Backoff = .conflictRetry, maxAttempts: Int = 5,
    sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
    random: () -> Double = { Double.random(in: 0...1) },
    when shouldRetry: (any Error) -> Bool,
    _ body: () async throws -> T
) async throws -> T {
    var attempt = 1
    while true {
        do {
            return try await body()
        } catch  where attempt < maxAttempts && shouldRetry(error) {
            try await sleep(backoff.delay(attempt: attempt, unit: random()))
            attempt += 1
        }
    }
}

/// Runs `body` again after a 409 Conflict (someone else changed the object first), with
/// backoff, as client-go's `retry.RetryOnConflict`. `body` must re-read what it changes on
/// each attempt, so a retry works on fresh state instead of resending a stale write. Any
/// other error, an `AlreadyExists` included, ends it at once.
public func retryOnConflict<T>(
    backoff: Backoff = .conflictRetry, maxAttempts: Int = 5,
    sleep: (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
    random: () -> Double = { Double.random(in: 0...1) },
    _ body: () async throws -> T
) async throws -> T {
    try await retryOnError(
        backoff: backoff, maxAttempts: maxAttempts, sleep: sleep, random: random,
        when: { ($0 as? KubeAPIError)?.isConflict == true }, body)
}
