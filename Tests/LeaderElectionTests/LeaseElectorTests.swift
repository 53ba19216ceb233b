import Foundation
import KubeAPIMachinery
import LeaderElection
import Testing

/// A moment `seconds` after a fixed wall time, on a monotonic clock that starts at 0.
private func at(_ seconds: Double) -> ElectionInstant {
    ElectionInstant(
        wall: Date(timeIntervalSince1970: 1_780_000_000 + seconds), monotonic: .milliseconds(Int64(seconds * 1000)))
}

private let timing = ElectionTiming(leaseDuration: .seconds(15), renewDeadline: .seconds(10), retryPeriod: .seconds(2))

private func held(by holder: String, transitions: Int = 3, duration: Int = 15, renewed: Double = 0) -> LeaseRecord {
    LeaseRecord(
        holderIdentity: holder, leaseDurationSeconds: duration, acquireTime: at(-100).wall,
        renewTime: at(renewed).wall, leaseTransitions: transitions)
}

@Suite struct LeaseElectorTests {
    @Test func createsAMissingLeaseWithTransitionsZero() throws {
        var elector = LeaseElector(identity: "me", timing: timing)
        let action = elector.observe(nil, at: at(1))
        let expected = LeaseRecord(
            holderIdentity: "me", leaseDurationSeconds: 15, acquireTime: at(1).wall, renewTime: at(1).wall,
            leaseTransitions: 0)
        #expect(action == .create(expected))
        let outcome = elector.written(expected, attemptStartedAt: at(1))
        #expect(outcome == .acquired(fencingToken: 0))
        #expect(elector.holds && elector.isLeader && elector.fencingToken == 0)
    }

    @Test func waitsOutAnotherHoldersClaimOnItsOwnClock() {
        var elector = LeaseElector(identity: "me", timing: timing)
        // The record's renewTime is a day old: never compared with the local clock.
        let other = held(by: "other", renewed: -86_400)
        do { let action = elector.observe(other, at: at(10)); #expect(action == .wait) }
        do { let action = elector.observe(other, at: at(24.999)); #expect(action == .wait) }
        guard case .update(let next) = elector.observe(other, at: at(25)) else {
            Issue.record("expected a takeover once the record was unchanged for 15 s")
            return
        }
        #expect(next.holderIdentity == "me")
        #expect(next.leaseTransitions == 4)
        #expect(next.acquireTime == at(25).wall && next.renewTime == at(25).wall)
        let outcome = elector.written(next, attemptStartedAt: at(25))
        #expect(outcome == .acquired(fencingToken: 4))
    }

    @Test func aRenewalByTheHolderRestartsTheWait() {
        var elector = LeaseElector(identity: "me", timing: timing)
        do { let action = elector.observe(held(by: "other", renewed: 0), at: at(0)); #expect(action == .wait) }
        do { let action = elector.observe(held(by: "other", renewed: 10), at: at(10)); #expect(action == .wait) }
        do { let action = elector.observe(held(by: "other", renewed: 10), at: at(20)); #expect(action == .wait) }
        do { let action = elector.observe(held(by: "other", renewed: 10), at: at(25)); #expect(action != .wait) }
    }

    @Test func saysWhenAnotherHoldersClaimLapsesSoTheDriverCanTryThen() {
        var elector = LeaseElector(identity: "me", timing: timing)
        #expect(elector.othersClaimEndsAt == nil)
        _ = elector.observe(held(by: "other", renewed: 0), at: at(3))
        #expect(elector.othersClaimEndsAt == .seconds(18))
        // A renewal seen later moves it; the lapse is exactly when observe stops waiting.
        _ = elector.observe(held(by: "other", renewed: 5), at: at(6))
        #expect(elector.othersClaimEndsAt == .seconds(21))
        #expect(elector.observe(held(by: "other", renewed: 5), at: at(20.999)) == .wait)
        #expect(elector.observe(held(by: "other", renewed: 5), at: at(21)) != .wait)
        // Released, or held by this process: nothing to wait out.
        var free = LeaseElector(identity: "me", timing: timing)
        _ = free.observe(held(by: "", renewed: 0), at: at(1))
        #expect(free.othersClaimEndsAt == nil)
    }

    @Test func honoursTheRecordsOwnDuration() {
        var elector = LeaseElector(identity: "me", timing: timing)
        let long = held(by: "other", duration: 60)
        do { let action = elector.observe(long, at: at(0)); #expect(action == .wait) }
        do { let action = elector.observe(long, at: at(59)); #expect(action == .wait) }
        do { let action = elector.observe(long, at: at(60)); #expect(action != .wait) }
    }

    @Test func takesAReleasedLeaseAtOnceAndCountsATransition() {
        var elector = LeaseElector(identity: "me", timing: timing)
        let released = LeaseRecord(
            holderIdentity: "", leaseDurationSeconds: 1, acquireTime: at(0).wall, renewTime: at(0).wall,
            leaseTransitions: 7)
        guard case .update(let next) = elector.observe(released, at: at(0)) else {
            Issue.record("a released Lease is free")
            return
        }
        #expect(next.leaseTransitions == 8)
    }

    @Test func renewingKeepsAcquireTimeAndTransitions() {
        var elector = LeaseElector(identity: "me", timing: timing)
        guard case .update(let first) = elector.observe(held(by: "other"), at: at(15)) else { return }
        _ = elector.written(first, attemptStartedAt: at(15))
        guard case .update(let renewal) = elector.observe(first, at: at(17)) else {
            Issue.record("the holder renews")
            return
        }
        #expect(renewal.acquireTime == at(15).wall)
        #expect(renewal.renewTime == at(17).wall)
        #expect(renewal.leaseTransitions == 4)
        let outcome = elector.written(renewal, attemptStartedAt: at(17))
        #expect(outcome == .renewed)
        #expect(elector.fencingToken == 4)
        #expect(elector.renewDeadlineAt == .seconds(27))
    }

    @Test func failuresFenceOnlyAtTheRenewDeadline() {
        var elector = LeaseElector(identity: "me", timing: timing)
        let idle = elector.failed(at: at(100))
        #expect(!idle, "a waiting candidate has nothing to lose")
        guard case .create(let record) = elector.observe(nil, at: at(0)) else { return }
        _ = elector.written(record, attemptStartedAt: at(0))
        let early = elector.failed(at: at(9.999))
        #expect(!early)
        #expect(elector.holds)
        let due = elector.failed(at: at(10))
        #expect(due)
        #expect(!elector.holds)
    }

    @Test func theHolderLosesAtOnceWhenSomeoneElseHoldsIt() {
        var elector = LeaseElector(identity: "me", timing: timing)
        guard case .create(let record) = elector.observe(nil, at: at(0)) else { return }
        _ = elector.written(record, attemptStartedAt: at(0))
        do { let action = elector.observe(held(by: "other", transitions: 1), at: at(2)); #expect(action == .lost) }
        #expect(!elector.holds && elector.fencingToken == nil)
    }

    @Test func theHolderLosesWhenTheLeaseIsDeleted() {
        var elector = LeaseElector(identity: "me", timing: timing)
        guard case .create(let record) = elector.observe(nil, at: at(0)) else { return }
        _ = elector.written(record, attemptStartedAt: at(0))
        do { let action = elector.observe(nil, at: at(2)); #expect(action == .lost) }
    }

    @Test func releaseClearsTheHolderWithADurationOfOneSecond() throws {
        var elector = LeaseElector(identity: "me", timing: timing)
        guard case .update(let mine) = elector.observe(held(by: "other"), at: at(15)) else { return }
        _ = elector.written(mine, attemptStartedAt: at(15))
        let release = try #require(elector.releaseRecord(current: mine, at: at(20)))
        #expect(release.holderIdentity == "")
        #expect(release.leaseDurationSeconds == 1)
        #expect(release.leaseTransitions == 4)
        #expect(release.renewTime == at(20).wall)
        #expect(elector.releaseRecord(current: held(by: "other", transitions: 5), at: at(20)) == nil)
        elector.released(release, at: at(20))
        #expect(!elector.holds)
    }

    @Test func timingFollowsClientGosRules() {
        #expect(throws: Never.self) { try ElectionTiming.defaults.validate() }
        #expect(throws: Never.self) {
            try ElectionTiming(
                leaseDuration: .seconds(2), renewDeadline: .milliseconds(1500), retryPeriod: .milliseconds(300)
            )
            .validate()
        }
        let bad = [
            ElectionTiming(leaseDuration: .seconds(10), renewDeadline: .seconds(10), retryPeriod: .seconds(2)),
            ElectionTiming(leaseDuration: .seconds(15), renewDeadline: .seconds(2), retryPeriod: .seconds(2)),
            ElectionTiming(
                leaseDuration: .milliseconds(2500), renewDeadline: .seconds(1), retryPeriod: .milliseconds(100)),
        ]
        for timing in bad { #expect(throws: ElectionTimingError.self) { try timing.validate() } }
    }
}

@Suite struct LeaseRecordTests {
    @Test func microTimeIsGosLayoutInUTC() throws {
        let date = try #require(MicroTime.parse("2024-06-10T19:11:21.606454Z"))
        #expect(MicroTime.format(date) == "2024-06-10T19:11:21.606454Z")
        #expect(
            MicroTime.format(try #require(MicroTime.parse("2026-12-06T22:10:58.892417Z")))
                == "2026-12-06T22:10:58.892417Z")
        #expect(MicroTime.format(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.000000Z")
        #expect(MicroTime.parse("2024-06-10T21:11:21.5+02:00") == MicroTime.parse("2024-06-10T19:11:21.500000Z"))
        #expect(MicroTime.parse("2024-06-10T19:11:21Z") != nil)
        for bad in ["", "2024-06-10 19:11:21Z", "2024-13-10T19:11:21Z", "2024-06-10T19:11:21", "yesterday"] {
            #expect(MicroTime.parse(bad) == nil, "\(bad)")
        }
    }

    @Test func anUpdateChangesOnlyTheElectionFields() throws {
        let object: JSONValue = [
            "apiVersion": "coordination.k8s.io/v1", "kind": "Lease",
            "metadata": ["name": "job", "namespace": "ns", "resourceVersion": "42", "labels": ["team": "a"]],
            "spec": ["holderIdentity": "other", "leaseDurationSeconds": 15, "strategy": "OldestEmulationVersion"],
        ]
        let record = LeaseRecord(
            holderIdentity: "me", leaseDurationSeconds: 2, acquireTime: Date(timeIntervalSince1970: 1),
            renewTime: Date(timeIntervalSince1970: 2), leaseTransitions: 5)
        let updated = record.applied(to: object)
        #expect(updated["metadata"] == object["metadata"])
        #expect(updated[path: "spec", "strategy"] == "OldestEmulationVersion")
        #expect(updated[path: "spec", "holderIdentity"] == "me")
        #expect(updated[path: "spec", "renewTime"] == "1970-01-01T00:00:02.000000Z")
        #expect(LeaseRecord(lease: updated) == record)
    }
}
