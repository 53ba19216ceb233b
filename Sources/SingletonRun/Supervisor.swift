import Dispatch
import Foundation
import LeaderElection

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `singleton-run` was asked to do.
public struct RunConfiguration: Sendable {
    public var lease: String
    public var namespace: String
    public var identity: String
    public var timing: ElectionTiming
    /// Between SIGTERM and SIGKILL to the command's process group.
    public var grace: Duration
    public var command: [String]
    /// The environment the command inherits (SINGLETON_* added).
    public var environment: [String: String]
    public var statusAddress: String
    public var statusPort: Int?

    public init(
        lease: String, namespace: String, identity: String, timing: ElectionTiming, grace: Duration,
        command: [String], environment: [String: String], statusAddress: String = "127.0.0.1", statusPort: Int? = nil
    ) {
        self.lease = lease
        self.namespace = namespace
        self.identity = identity
        self.timing = timing
        self.grace = grace
        self.command = command
        self.environment = environment
        self.statusAddress = statusAddress
        self.statusPort = statusPort
    }
}

/// Runs the command only while this process holds the Lease.
///
/// Everything that happens (a signal, the command's exit, the Lease acquired or lost, the
/// grace period over) arrives as one event on one stream, handled in order by `run`: no
/// state is shared between the loops that produce them.
final class Supervisor: Sendable {
    enum Event: Sendable {
        case acquired(fencingToken: Int)
        case lost(String)
        case signal(Int32)
        case childExited(ChildExit)
        case graceOver
    }

    let config: RunConfiguration
    let keeper: LeaseKeeper
    let clock: any ElectionClock
    let log: @Sendable (String) -> Void
    let status: StatusServer?
    private let events: AsyncStream<Event>
    private let sink: AsyncStream<Event>.Continuation

    init(
        config: RunConfiguration, store: LeaseStore, clock: any ElectionClock = SystemElectionClock(),
        log: @escaping @Sendable (String) -> Void
    ) throws {
        self.config = config
        self.clock = clock
        self.log = log
        keeper = LeaseKeeper(
            elector: LeaseElector(identity: config.identity, timing: config.timing), store: store, clock: clock)
        (events, sink) = AsyncStream.makeStream(of: Event.self)
        status = try config.statusPort.map {
            try StatusServer(
                address: config.statusAddress, port: $0,
                initial: LeaderStatus(
                    identity: config.identity, lease: "\(config.namespace)/\(config.lease)", holder: nil,
                    isLeader: false))
        }
    }

    /// Runs until the command has ended (or the wrapper was stopped while waiting) and returns
    /// the wrapper's exit status.
    func run() async -> Int32 {
        let signals = watchSignals([SIGTERM, SIGINT, SIGHUP])
        defer { for source in signals { source.cancel() } }
        let leaseName = "\(config.namespace)/\(config.lease)"
        log("waiting for lease \(leaseName) as \(config.identity)")
        var loop = Task { await acquireLoop() }
        var child: ChildProcess?
        var stopping: Int32?  // the signal being forwarded
        var fenced: String?
        var graceTimer: Task<Void, Never>?
        defer { graceTimer?.cancel() }

        for await event in events {
            switch event {
            case .acquired(let token):
                log(
                    "acquired lease \(leaseName) (fencing token \(token)); starting \(config.command.joined(separator: " "))"
                )
                var environment = config.environment
                environment["SINGLETON_IDENTITY"] = config.identity
                environment["SINGLETON_FENCING_TOKEN"] = String(token)
                environment["SINGLETON_LEASE"] = leaseName
                do {
                    child = try ChildProcess.start(config.command, environment: environment) { [sink] exit in
                        sink.yield(.childExited(exit))
                    }
                } catch {
                    log("cannot start the command: \(error)")
                    await release()
                    return 127
                }
                loop = Task { await renewLoop() }

            case .signal(let signal):
                guard let child else {
                    log("signal \(signal) while waiting: stopping")
                    loop.cancel()
                    await loop.value
                    await release()
                    return 128 + signal
                }
                if stopping == nil, fenced == nil {
                    log("signal \(signal): forwarding it to the command, the lease is released once it exits")
                    stopping = signal
                    graceTimer = startGraceTimer()
                }
                child.signalGroup(signal)

            case .lost(let reason):
                loop.cancel()
                status?.update { $0.isLeader = false }
                guard let child, fenced == nil else { continue }
                fenced = reason
                log("lost lease \(leaseName): \(reason); sending SIGTERM to the command")
                child.signalGroup(SIGTERM)
                graceTimer?.cancel()
                graceTimer = startGraceTimer()

            case .graceOver:
                log("the command is still running after --grace: sending SIGKILL")
                child?.signalGroup(SIGKILL)

            case .childExited(let exit):
                // Whatever the command left behind in its group runs without the lease.
                child?.signalGroup(SIGKILL)
                loop.cancel()
                await loop.value
                if let fenced {
                    log("command ended (\(describe(exit))) after losing the lease (\(fenced))")
                    return 1
                }
                log("command ended (\(describe(exit))); releasing lease \(leaseName)")
                await release()
                return exit.exitStatus
            }
        }
        return 1
    }

    /// Tries until the Lease is acquired: every retry period, jittered below it (client-go
    /// jitters above; below keeps standbys apart and bounds how late a renewal is seen), and
    /// at the moment another holder's claim lapses.
    private func acquireLoop() async {
        var last: LeaseKeeper.Attempt?
        while !Task.isCancelled {
            let attempt = await bounded(config.timing.renewDeadline)
            publish()
            switch attempt {
            case .acquired(let token):
                sink.yield(.acquired(fencingToken: token))
                return
            case .waiting(let holder):
                if attempt != last { log("lease held by \(holder ?? "nobody (released)"); waiting") }
            case .failed(let reason):
                if attempt != last { log("cannot read or write the lease: \(reason); retrying") }
            case .lost, .renewed:
                break
            }
            last = attempt
            var pause = config.timing.retryPeriod * Double.random(in: (1 / ElectionTiming.jitterFactor)..<1)
            if let lapses = keeper.othersClaimEndsAt {
                // A millisecond past the lapse, so the next observe sees it lapsed.
                pause = min(pause, max(lapses - clock.now().monotonic + .milliseconds(1), .milliseconds(1)))
            }
            try? await Task.sleep(for: pause)
        }
    }

    /// Renews every retry period; reports `.lost` when the elector says so.
    private func renewLoop() async {
        var pause = config.timing.retryPeriod
        while !Task.isCancelled {
            do { try await Task.sleep(for: pause) } catch { return }
            let deadline = keeper.renewDeadlineAt ?? clock.now().monotonic
            var attempt = await bounded(max(deadline - clock.now().monotonic, .milliseconds(1)))
            if case .failed(let reason) = attempt, clock.now().monotonic >= deadline {
                attempt = keeper.timedOut(after: reason)
            }
            publish()
            switch attempt {
            case .lost(let reason):
                if !Task.isCancelled { sink.yield(.lost(reason)) }
                return
            case .failed(let reason):
                log("renewal failed: \(reason); retrying")
                // Wake up at the deadline at the latest, so the fence is never late by a period.
                pause = min(config.timing.retryPeriod, max(deadline - clock.now().monotonic, .zero))
            default:
                pause = config.timing.retryPeriod
            }
        }
    }

    /// One attempt, given up after `limit` (a request that hangs must not hold the fence).
    private func bounded(_ limit: Duration) async -> LeaseKeeper.Attempt {
        await withTaskGroup(of: LeaseKeeper.Attempt?.self) { group in
            group.addTask { await self.keeper.attempt() }
            group.addTask {
                try? await Task.sleep(for: limit)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first ?? .failed("no answer within \(limit)")
        }
    }

    private func release() async {
        let keeper = self.keeper
        let released = await withTaskGroup(of: String?.self) { group in
            group.addTask {
                do {
                    try await keeper.release()
                    return nil
                } catch { return describe(error) }
            }
            group.addTask {
                try? await Task.sleep(for: self.config.timing.renewDeadline)
                return "no answer within \(self.config.timing.renewDeadline)"
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        if let released { log("could not release the lease (it expires on its own): \(released)") }
        publish()
    }

    private func publish() {
        guard let status else { return }
        let holder = keeper.holder
        let holds = keeper.holds
        let token = keeper.fencingToken
        status.update {
            $0.holder = holder.flatMap { $0.isEmpty ? nil : $0 }
            $0.isLeader = holds
            $0.fencingToken = token
        }
    }

    private func startGraceTimer() -> Task<Void, Never> {
        Task { [sink, grace = config.grace] in
            do { try await Task.sleep(for: grace) } catch { return }
            sink.yield(.graceOver)
        }
    }

    private func watchSignals(_ numbers: [Int32]) -> [any DispatchSourceSignal] {
        numbers.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [sink] in sink.yield(.signal(number)) }
            source.resume()
            return source
        }
    }
}

private func describe(_ exit: ChildExit) -> String {
    switch exit {
    case .exited(let code): return "exit status \(code)"
    case .signaled(let signal): return "killed by signal \(signal)"
    }
}
