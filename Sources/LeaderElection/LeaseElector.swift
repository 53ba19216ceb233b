import Foundation

/// The three durations of client-go's leader election.
public struct ElectionTiming: Sendable, Equatable {
    /// How long a holder's claim stands after it was last seen renewed: a standby takes over
    /// only when the record has not changed for this long on its own clock.
    public var leaseDuration: Duration
    /// How long the holder keeps trying to renew before it gives up and fences its command.
    public var renewDeadline: Duration
    /// The pause between attempts (acquiring and renewing).
    public var retryPeriod: Duration

    /// client-go's jitter on the acquire loop: waits are `retryPeriod * [1, 1.2)`.
    public static let jitterFactor = 1.2

    public init(leaseDuration: Duration, renewDeadline: Duration, retryPeriod: Duration) {
        self.leaseDuration = leaseDuration
        self.renewDeadline = renewDeadline
        self.retryPeriod = retryPeriod
    }

    public static let defaults = ElectionTiming(
        leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .seconds(2))

    /// client-go's constraints: the holder must give up before its claim lapses for others,
    /// and must get more than one try within the deadline. The lease duration is written as
    /// whole seconds, so it must be one.
    public func validate() throws(ElectionTimingError) {
        guard retryPeriod > .zero else { throw ElectionTimingError("--retry-period must be positive") }
        guard leaseDuration.components.attoseconds == 0, leaseDuration >= .seconds(1) else {
            throw ElectionTimingError("--lease-duration must be a whole number of seconds, at least 1s")
        }
        guard leaseDuration > renewDeadline else {
            throw ElectionTimingError("--lease-duration must be greater than --renew-deadline")
        }
        guard renewDeadline > retryPeriod * Self.jitterFactor else {
            throw ElectionTimingError("--renew-deadline must be greater than 1.2 × --retry-period")
        }
    }

    var leaseDurationSeconds: Int { Int(leaseDuration.components.seconds) }
}

public struct ElectionTimingError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// A moment as the elector needs it: wall time to write into the Lease, and a monotonic
/// reading to time validity and deadlines (immune to the wall clock being set).
public struct ElectionInstant: Sendable, Equatable {
    public var wall: Date
    /// Time since an arbitrary fixed origin of a monotonic clock.
    public var monotonic: Duration

    public init(wall: Date, monotonic: Duration) {
        self.wall = wall
        self.monotonic = monotonic
    }
}

/// Where the elector's driver reads the time; tests pass a manual one.
public protocol ElectionClock: Sendable {
    func now() -> ElectionInstant
}

/// The system's clocks: `Date()` and `ContinuousClock`.
public struct SystemElectionClock: ElectionClock {
    private let origin = ContinuousClock.now
    public init() {}
    public func now() -> ElectionInstant {
        ElectionInstant(wall: Date(), monotonic: ContinuousClock.now - origin)
    }
}

/// client-go's `tryAcquireOrRenew` as a value: the driver reads the Lease, hands it to
/// `observe`, performs the write it asks for, and reports the result with `written` or
/// `failed`. No I/O, no sleeping: every rule is tested with an injected time.
///
/// The rules, as client-go's:
/// - a record held by someone else stands until it has been unchanged for its own
///   `leaseDurationSeconds` on *this* process's clock (the timestamps in it are never
///   compared with the local clock, so skew between machines does not shorten a claim);
/// - taking over a held or released record increments `leaseTransitions`; renewing keeps
///   `acquireTime` and `leaseTransitions`;
/// - releasing writes an empty holder with a 1 s duration, so a standby takes over at once.
///
/// One deliberate difference: a holder that sees someone else holding the Lease, or sees
/// it deleted, has lost it at once (client-go keeps retrying until the renew deadline).
public struct LeaseElector: Sendable {
    public let identity: String
    public let timing: ElectionTiming

    /// The last record read or written, and when (monotonic) it was first seen as it is.
    public private(set) var observed: LeaseRecord?
    public private(set) var observedAt: Duration?
    /// When the last successful acquire or renew attempt started (monotonic).
    public private(set) var lastRenewal: Duration?
    /// `leaseTransitions` when this process acquired the Lease: the fencing token.
    public private(set) var fencingToken: Int?

    public init(identity: String, timing: ElectionTiming) {
        self.identity = identity
        self.timing = timing
    }

    /// True while the record last seen names this process (client-go's `IsLeader`).
    public var isLeader: Bool { observed?.holderIdentity == identity && !identity.isEmpty }

    /// Whether this process acquired the Lease and has not lost or released it since.
    public var holds: Bool { fencingToken != nil }

    /// What to do after reading the Lease.
    public enum Action: Sendable, Equatable {
        /// The Lease does not exist: create it with this spec.
        case create(LeaseRecord)
        /// Write this spec over the object just read (compare-and-swap on its resourceVersion).
        case update(LeaseRecord)
        /// Someone else holds it and their claim stands: try again after the retry period.
        case wait
        /// This process held the Lease and no longer does (taken, or deleted): fence now.
        case lost
    }

    /// Decides on the Lease as read at `now` (`nil`: it does not exist).
    public mutating func observe(_ current: LeaseRecord?, at now: ElectionInstant) -> Action {
        let fresh = LeaseRecord(
            holderIdentity: identity, leaseDurationSeconds: timing.leaseDurationSeconds,
            acquireTime: now.wall, renewTime: now.wall, leaseTransitions: 0)
        guard let current else {
            // A deleted Lease restarts its transitions at 0: a holder must not go on with a
            // token that could be handed out again.
            if holds { return lose() }
            return .create(fresh)
        }
        if observed != current {
            observed = current
            observedAt = now.monotonic
        }
        if holds, !isLeader { return lose() }
        if current.isHeld, !isLeader, let observedAt,
            observedAt + .seconds(current.leaseDurationSeconds ?? 0) > now.monotonic
        {
            return .wait
        }
        var next = fresh
        if isLeader {
            next.acquireTime = current.acquireTime ?? now.wall
            next.leaseTransitions = current.leaseTransitions ?? 0
        } else {
            next.leaseTransitions = (current.leaseTransitions ?? 0) + 1
        }
        return .update(next)
    }

    /// The result of a successful create or update.
    public enum Outcome: Sendable, Equatable {
        /// This process now holds the Lease; the token is its `leaseTransitions`.
        case acquired(fencingToken: Int)
        case renewed
    }

    /// Records the Lease as stored by a successful write whose attempt started at `started`.
    public mutating func written(_ stored: LeaseRecord, attemptStartedAt started: ElectionInstant) -> Outcome {
        observed = stored
        observedAt = started.monotonic
        lastRenewal = started.monotonic
        if let fencingToken, stored.leaseTransitions ?? 0 == fencingToken { return .renewed }
        let token = stored.leaseTransitions ?? 0
        fencingToken = token
        return .acquired(fencingToken: token)
    }

    /// A read or write failed (API unreachable, conflict, forbidden) at `now`. True when the
    /// holder has now gone `renewDeadline` without a successful renewal and must fence.
    public mutating func failed(at now: ElectionInstant) -> Bool {
        guard holds, let lastRenewal else { return false }
        if now.monotonic - lastRenewal >= timing.renewDeadline {
            _ = lose()
            return true
        }
        return false
    }

    /// When (monotonic) another holder's claim on the record last seen lapses on this
    /// process's clock; nil when nobody else holds it. A standby tries again at that moment
    /// rather than up to a retry period later, so it takes over within one lease duration
    /// plus one retry period (its polling) of the last renewal.
    public var othersClaimEndsAt: Duration? {
        guard let observed, observed.isHeld, !isLeader, let observedAt else { return nil }
        return observedAt + .seconds(observed.leaseDurationSeconds ?? 0)
    }

    /// When (monotonic) the holder must have renewed by: the driver bounds each attempt
    /// with it, so a request that hangs cannot stretch the deadline.
    public var renewDeadlineAt: Duration? { lastRenewal.map { $0 + timing.renewDeadline } }

    /// The spec that releases the Lease (client-go's release on cancel), or nil when this
    /// process is not the holder of the record last seen: a Lease someone else took is never
    /// touched.
    public func releaseRecord(current: LeaseRecord, at now: ElectionInstant) -> LeaseRecord? {
        guard current.holderIdentity == identity, !identity.isEmpty else { return nil }
        return LeaseRecord(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: now.wall, renewTime: now.wall,
            leaseTransitions: current.leaseTransitions ?? 0)
    }

    /// Records a successful release.
    public mutating func released(_ stored: LeaseRecord, at now: ElectionInstant) {
        observed = stored
        observedAt = now.monotonic
        fencingToken = nil
        lastRenewal = nil
    }

    private mutating func lose() -> Action {
        fencingToken = nil
        lastRenewal = nil
        return .lost
    }
}
