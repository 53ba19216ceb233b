import KubeAPIMachinery
import Synchronization
import Testing

/// Records the delays asked for instead of sleeping: fast and deterministic.
final class SleepRecorder: Sendable {
    private let delays = Mutex<[Duration]>([])
    var recorded: [Duration] { delays.withLock { $0 } }
    func sleep(_ delay: Duration) async throws { delays.withLock { $0.append(delay) } }
}

@Suite("Backoff and retry-on-conflict")
struct RetryTests {
    static let conflict = KubeAPIError(code: 409, reason: "Conflict", message: "the object has been modified")

    @Test func backoffGrowsAndIsCapped() {
        let b = Backoff(initial: .milliseconds(100), maximum: .seconds(1))
        #expect(
            (1...6).map { b.delay(attempt: $0) }
                == [
                    .milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1),
                    .seconds(1),
                ])
        #expect(b.delay(attempt: .max) == .seconds(1))
        #expect(
            Backoff(initial: .milliseconds(10), factor: 1, maximum: .seconds(1)).delay(attempt: 9) == .milliseconds(10))
    }

    @Test func jitterTakesItsShareOffTheTopAndNeverExceedsTheCap() {
        let b = Backoff(initial: .milliseconds(100), maximum: .milliseconds(300), jitter: 0.5)
        #expect(b.delay(attempt: 1, unit: 0) == .milliseconds(50))
        #expect(b.delay(attempt: 1, unit: 1) == .milliseconds(100))
        #expect(b.delay(attempt: 5, unit: 1) == .milliseconds(300))
        #expect(b.delay(attempt: 5, unit: 0) == .milliseconds(150))
    }

    @Test func retriesConflictsWithGrowingDelaysThenSucceeds() async throws {
        let sleeper = SleepRecorder()
        let attempts = Mutex(0)
        let result = try await retryOnConflict(
            backoff: Backoff(initial: .milliseconds(10), factor: 5, maximum: .seconds(1)),
            sleep: sleeper.sleep
        ) {
            let n = attempts.withLock {
                $0 += 1; return $0
            }
            if n < 4 { throw Self.conflict }
            return n
        }
        #expect(result == 4)
        #expect(sleeper.recorded == [.milliseconds(10), .milliseconds(50), .milliseconds(250)])
    }

    @Test func stopsAtTheLimitWithTheLastConflict() async {
        let sleeper = SleepRecorder()
        let attempts = Mutex(0)
        let error = await #expect(throws: KubeAPIError.self) {
            try await retryOnConflict(
                backoff: Backoff(initial: .milliseconds(10), factor: 5, maximum: .milliseconds(100)),
                maxAttempts: 5, sleep: sleeper.sleep
            ) { () async throws -> Int in
                attempts.withLock { $0 += 1 }
                throw Self.conflict
            }
        }
        #expect(error == Self.conflict)
        #expect(attempts.withLock { $0 } == 5)
        #expect(
            sleeper.recorded == [.milliseconds(10), .milliseconds(50), .milliseconds(100), .milliseconds(100)],
            "four waits between five attempts, the growth capped")
    }

    @Test(arguments: [
        KubeAPIError(code: 409, reason: "AlreadyExists", message: "exists"),
        KubeAPIError(code: 404, reason: "NotFound", message: "gone"),
        KubeAPIError(code: 500, reason: "InternalError", message: "boom"),
        KubeAPIError.noResponse("connection refused"),
    ])
    func anythingButAConflictEndsAtOnce(_ failure: KubeAPIError) async {
        let sleeper = SleepRecorder()
        let attempts = Mutex(0)
        let error = await #expect(throws: KubeAPIError.self) {
            try await retryOnConflict(sleep: sleeper.sleep) { () async throws -> Int in
                attempts.withLock { $0 += 1 }
                throw failure
            }
        }
        #expect(error == failure)
        #expect(attempts.withLock { $0 } == 1)
        #expect(sleeper.recorded.isEmpty)
    }

    @Test func defaultScheduleIsJitteredWithinItsBounds() async throws {
        let sleeper = SleepRecorder()
        let attempts = Mutex(0)
        _ = try await retryOnConflict(sleep: sleeper.sleep, random: { 0 }) {
            if attempts.withLock({
                $0 += 1; return $0
            }) < 5 {
                throw Self.conflict
            }
        }
        // 10 ms growing five-fold, capped at 1 s, 10% taken off by the jitter at its lowest.
        #expect(sleeper.recorded == [.milliseconds(9), .milliseconds(45), .milliseconds(225), .milliseconds(900)])
    }
}
