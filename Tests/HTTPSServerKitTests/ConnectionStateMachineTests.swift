import NIOCore
import NIOHTTP1
import Testing

@testable import HTTPSServerKit

/// `ConnectionStateMachine` driven with event sequences, no channel: each step's action and
/// deadline, and every event in every state (the out-of-order ones included).
@Suite("ConnectionStateMachine")
struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine
    typealias Step = ConnectionStateMachine.Step

    static let limits = ServerLimits(
        maxBodyBytes: 100, headerTimeout: .seconds(1), bodyTimeout: .seconds(2),
        idleTimeout: .seconds(3))

    static func head(
        _ uri: String = "/validate", _ headers: [(String, String)] = [], version: HTTPVersion = .http1_1
    ) -> HTTPRequestHead {
        HTTPRequestHead(version: version, method: .POST, uri: uri, headers: HTTPHeaders(headers))
    }

    static func bytes(_ count: Int, _ byte: UInt8 = UInt8(ascii: "x")) -> ByteBuffer {
        ByteBuffer(bytes: Array(repeating: byte, count: count))
    }

    // MARK: - Sequences

    @Test("a keep-alive request: body timeout while reading, dispatched, answered, idle again with the idle timeout")
    func keepAliveRequest() {
        var m = Machine(limits: Self.limits)
        #expect(m.connectionStarted() == Step(action: .none, deadline: .arm(.seconds(1))))
        let head = Self.head()
        #expect(m.requestHead(head) == Step(action: .none, deadline: .arm(.seconds(2))))
        #expect(m.requestBody(ByteBuffer(string: "{\"a\":")) == Step(action: .none))
        #expect(m.requestBody(ByteBuffer(string: "1}")) == Step(action: .none))
        #expect(
            m.requestEnd(writable: true)
                == Step(action: .dispatch(head, ByteBuffer(string: "{\"a\":1}")), deadline: .clear))
        #expect(m.state == .responding)
        #expect(m.responseReady() == Step(action: .writeResponse(closeConnection: false)))
        // Idle before the end is written: a pipelined request handed over from inside that write is read.
        #expect(m.responseComplete() == Step(action: .writeEnd(thenClose: false), deadline: .arm(.seconds(3))))
        #expect(m.state == .idle)
        let next = Self.head("/next")
        #expect(m.requestHead(next) == Step(action: .none, deadline: .arm(.seconds(2))))
        #expect(m.requestEnd(writable: true) == Step(action: .dispatch(next, ByteBuffer()), deadline: .clear))
    }

    @Test("a request without a body is dispatched with an empty one")
    func noBody() {
        var m = Machine(limits: Self.limits)
        let head = HTTPRequestHead(version: .http1_1, method: .GET, uri: "/healthz")
        _ = m.requestHead(head)
        #expect(m.requestEnd(writable: true).action == .dispatch(head, ByteBuffer()))
    }

    @Test("Connection: close: the answer says so, its end is awaited, then the connection closes")
    func connectionClose() {
        var m = Machine(limits: Self.limits)
        let head = Self.head("/", [("Connection", "close")])
        _ = m.requestHead(head)
        _ = m.requestEnd(writable: true)
        #expect(m.responseReady() == Step(action: .writeResponse(closeConnection: true)))
        #expect(m.responseComplete() == Step(action: .writeEnd(thenClose: true)))
        #expect(m.state == .closing)
        #expect(m.requestHead(Self.head("/after")) == Step(action: .none))  // dropped: the connection closes
        #expect(m.endWritten() == Step(action: .close))
        #expect(m.state == .closed)
    }

    @Test("HTTP/1.0 without keep-alive closes after its answer")
    func http10() {
        var m = Machine(limits: Self.limits)
        _ = m.requestHead(Self.head("/", version: .http1_0))
        _ = m.requestEnd(writable: true)
        #expect(m.responseReady().action == .writeResponse(closeConnection: true))
    }

    @Test("Expect: 100-continue gets its interim answer in the request's version")
    func expectContinue() {
        var m = Machine(limits: Self.limits)
        #expect(
            m.requestHead(Self.head("/", [("Expect", "100-Continue"), ("Content-Length", "5")]))
                == Step(action: .sendContinue(.http1_1), deadline: .arm(.seconds(2))))
    }

    // MARK: - Refusals

    @Test("Content-Length over the cap with Expect: 100-continue: refused at once, the body is never asked for")
    func tooLargeDeclaredWithContinue() {
        var m = Machine(limits: Self.limits)
        let head = Self.head("/", [("Expect", "100-continue"), ("Content-Length", "101")])
        #expect(
            m.requestHead(head) == Step(action: .refuse(.tooLarge, head, ByteBuffer()), deadline: .arm(.seconds(2))))
        #expect(m.state == .closing)
        // Whatever the client sends anyway is dropped unread.
        #expect(m.requestBody(Self.bytes(50)) == Step(action: .none))
        #expect(m.requestEnd(writable: true) == Step(action: .none))
        #expect(m.responseReady() == Step(action: .writeResponse(closeConnection: true)))
        #expect(m.responseComplete() == Step(action: .writeEnd(thenClose: true)))
        #expect(m.endWritten() == Step(action: .close))
    }

    @Test("Content-Length over the cap: the prefix is read (up to the cap), then refused with it")
    func tooLargeDeclaredReadsPrefix() {
        var m = Machine(limits: Self.limits)
        let head = Self.head("/", [("Content-Length", "500")])
        #expect(m.requestHead(head) == Step(action: .none, deadline: .arm(.seconds(2))))
        #expect(m.requestBody(Self.bytes(60, UInt8(ascii: "a"))) == Step(action: .none))
        var expected = Self.bytes(60, UInt8(ascii: "a")), rest = Self.bytes(40, UInt8(ascii: "b"))
        expected.writeBuffer(&rest)
        #expect(
            m.requestBody(Self.bytes(60, UInt8(ascii: "b")))
                == Step(action: .refuse(.tooLarge, head, expected), deadline: .arm(.seconds(2))))
        #expect(m.keepAlive == false)
    }

    @Test("Content-Length over the cap, body ending early: still refused as too large")
    func tooLargeDeclaredEndsEarly() {
        var m = Machine(limits: Self.limits)
        let head = Self.head("/", [("Content-Length", "500")])
        _ = m.requestHead(head)
        _ = m.requestBody(Self.bytes(10))
        #expect(
            m.requestEnd(writable: true)
                == Step(action: .refuse(.tooLarge, head, Self.bytes(10)), deadline: .arm(.seconds(2))))
    }

    @Test("Content-Length over the cap, prefix too slow: refused as too large with what came")
    func tooLargeDeclaredTimesOut() {
        var m = Machine(limits: Self.limits)
        let head = Self.head("/", [("Content-Length", "500")])
        _ = m.requestHead(head)
        _ = m.requestBody(Self.bytes(10))
        #expect(
            m.deadlinePassed() == Step(action: .refuse(.tooLarge, head, Self.bytes(10)), deadline: .arm(.seconds(2))))
    }

    @Test("a chunked body growing past the cap: refused with what came before the chunk that crossed it")
    func tooLargeStreamed() {
        var m = Machine(limits: Self.limits)
        let head = Self.head("/", [("Transfer-Encoding", "chunked")])
        _ = m.requestHead(head)
        #expect(m.requestBody(Self.bytes(80)) == Step(action: .none))
        #expect(
            m.requestBody(Self.bytes(21))
                == Step(action: .refuse(.tooLarge, head, Self.bytes(80)), deadline: .arm(.seconds(2))))
        #expect(m.requestBody(Self.bytes(21)) == Step(action: .none))  // the rest: dropped
    }

    @Test("a body that stops arriving: the deadline refuses it as timed out with what came")
    func bodyTimeout() {
        var m = Machine(limits: Self.limits)
        let head = Self.head("/", [("Content-Length", "50")])
        _ = m.requestHead(head)
        _ = m.requestBody(Self.bytes(7))
        #expect(
            m.deadlinePassed() == Step(action: .refuse(.timedOut, head, Self.bytes(7)), deadline: .arm(.seconds(2))))
        // The refusal itself could not be written in time: close.
        #expect(m.deadlinePassed() == Step(action: .close))
        #expect(m.state == .closed)
        #expect(m.responseReady() == Step(action: .none))  // the late answer has no one to go to
    }

    // MARK: - Deadlines

    @Test("no head within the header timeout, or no next request within the idle timeout: close")
    func idleDeadlines() {
        var fresh = Machine(limits: Self.limits)
        _ = fresh.connectionStarted()
        #expect(fresh.deadlinePassed() == Step(action: .close))
        #expect(fresh.state == .closed)
        #expect(fresh.deadlinePassed() == Step(action: .none))

        var kept = Machine(limits: Self.limits)
        _ = kept.requestHead(Self.head())
        _ = kept.requestEnd(writable: true)
        _ = kept.responseReady()
        _ = kept.responseComplete()
        #expect(kept.deadlinePassed() == Step(action: .close))
    }

    @Test("while a request is decided no deadline applies: a late timer changes nothing")
    func noDeadlineWhileResponding() {
        var m = Machine(limits: Self.limits)
        _ = m.requestHead(Self.head())
        _ = m.requestEnd(writable: true)
        #expect(m.deadlinePassed() == Step(action: .none))
        #expect(m.responseReady().action == .writeResponse(closeConnection: false))
    }

    // MARK: - A client that does not read

    @Test("a request completed while the client is not reading waits, with the idle timeout, until it reads")
    func parkedUntilWritable() {
        var m = Machine(limits: Self.limits)
        let head = Self.head()
        _ = m.requestHead(head)
        _ = m.requestBody(Self.bytes(3))
        #expect(m.requestEnd(writable: false) == Step(action: .none, deadline: .arm(.seconds(3))))
        #expect(m.state == .parked(head, Self.bytes(3)))
        #expect(m.writabilityChanged(writable: false) == Step(action: .none))
        #expect(m.writabilityChanged(writable: true) == Step(action: .dispatch(head, Self.bytes(3)), deadline: .clear))
        #expect(m.writabilityChanged(writable: true) == Step(action: .none))  // dispatched once only
        #expect(m.responseReady().action == .writeResponse(closeConnection: false))
    }

    @Test("a client that never reads again is closed when the idle timeout passes; its request is dropped")
    func parkedTimesOut() {
        var m = Machine(limits: Self.limits)
        _ = m.requestHead(Self.head())
        _ = m.requestEnd(writable: false)
        #expect(m.deadlinePassed() == Step(action: .close))
        #expect(m.writabilityChanged(writable: true) == Step(action: .none))
    }

    // MARK: - Drain

    @Test("drain of an idle connection: the quiet period for a request on the wire, then close")
    func drainIdle() {
        var m = Machine(limits: Self.limits)
        _ = m.connectionStarted()
        #expect(
            m.drainStarted(quietPeriod: .milliseconds(250)) == Step(action: .none, deadline: .arm(.milliseconds(250))))
        #expect(m.deadlinePassed() == Step(action: .close))
    }

    @Test("drain, then a request begins within the quiet period: answered with Connection: close")
    func drainThenRequest() {
        var m = Machine(limits: Self.limits)
        _ = m.drainStarted(quietPeriod: .milliseconds(250))
        let head = Self.head()
        #expect(m.requestHead(head) == Step(action: .none, deadline: .arm(.seconds(2))))
        #expect(m.requestEnd(writable: true).action == .dispatch(head, ByteBuffer()))
        #expect(m.responseReady() == Step(action: .writeResponse(closeConnection: true)))
        #expect(m.responseComplete() == Step(action: .writeEnd(thenClose: true)))
        #expect(m.endWritten() == Step(action: .close))
    }

    @Test("drain while reading a body, or while the client is not reading: answered, with Connection: close")
    func drainWhileReceivingOrParked() {
        var receiving = Machine(limits: Self.limits)
        _ = receiving.requestHead(Self.head())
        #expect(receiving.drainStarted(quietPeriod: .zero) == Step(action: .none))
        _ = receiving.requestEnd(writable: true)
        #expect(receiving.responseReady().action == .writeResponse(closeConnection: true))

        var parked = Machine(limits: Self.limits)
        _ = parked.requestHead(Self.head())
        _ = parked.requestEnd(writable: false)
        #expect(parked.drainStarted(quietPeriod: .zero) == Step(action: .none))
        _ = parked.writabilityChanged(writable: true)
        #expect(parked.responseReady().action == .writeResponse(closeConnection: true))
    }

    @Test("drain while answering: a stream is ended, the answer closes the connection")
    func drainWhileResponding() {
        var m = Machine(limits: Self.limits)
        _ = m.requestHead(Self.head())
        _ = m.requestEnd(writable: true)
        _ = m.responseReady()  // a streaming answer began, keep-alive
        #expect(m.drainStarted(quietPeriod: .zero) == Step(action: .cancelStream))
        #expect(m.responseComplete() == Step(action: .writeEnd(thenClose: true)))
        #expect(m.drainStarted(quietPeriod: .zero) == Step(action: .none))  // closing anyway
    }

    // MARK: - Half-close, errors, inactive

    @Test("half-close with no request, or mid-request: close")
    func inputClosedIdleOrReceiving() {
        var idle = Machine(limits: Self.limits)
        #expect(idle.inputClosed() == Step(action: .close))
        #expect(idle.state == .closed)

        var receiving = Machine(limits: Self.limits)
        _ = receiving.requestHead(Self.head())
        #expect(receiving.inputClosed() == Step(action: .close))
        #expect(receiving.requestEnd(writable: true) == Step(action: .none))  // nothing more is dispatched
    }

    @Test("half-close after a complete request: it is answered, with Connection: close, then the connection closes")
    func inputClosedWhileResponding() {
        var m = Machine(limits: Self.limits)
        _ = m.requestHead(Self.head())
        _ = m.requestEnd(writable: true)
        #expect(m.inputClosed() == Step(action: .cancelStream))
        #expect(m.responseReady() == Step(action: .writeResponse(closeConnection: true)))
        #expect(m.responseComplete() == Step(action: .writeEnd(thenClose: true)))
        #expect(m.endWritten() == Step(action: .close))

        var parked = Machine(limits: Self.limits)
        _ = parked.requestHead(Self.head())
        _ = parked.requestEnd(writable: false)
        #expect(parked.inputClosed() == Step(action: .none))
        _ = parked.writabilityChanged(writable: true)
        #expect(parked.responseReady().action == .writeResponse(closeConnection: true))
    }

    @Test("an error closes the connection once")
    func errorCaught() {
        var m = Machine(limits: Self.limits)
        _ = m.requestHead(Self.head())
        #expect(m.errorCaught() == Step(action: .close))
        #expect(m.errorCaught() == Step(action: .none))
    }

    @Test("the channel going inactive: a stream is cancelled, the deadline cleared, late answers and writes do nothing")
    func inactive() {
        var m = Machine(limits: Self.limits)
        _ = m.requestHead(Self.head())
        _ = m.requestEnd(writable: true)
        #expect(m.channelInactive() == Step(action: .cancelStream, deadline: .clear))
        #expect(m.responseReady() == Step(action: .none))
        #expect(m.responseComplete() == Step(action: .none))
        #expect(m.endWritten() == Step(action: .none))
        #expect(m.deadlinePassed() == Step(action: .none))
        #expect(m.inputClosed() == Step(action: .none))
        #expect(m.drainStarted(quietPeriod: .zero) == Step(action: .none))
    }

    // MARK: - Every event in every state

    enum StateName: String, CaseIterable, CustomTestStringConvertible {
        case idle, receiving, responding, parked, closing, closed
        var testDescription: String { rawValue }
    }

    enum Event: String, CaseIterable, CustomTestStringConvertible {
        case head, body, end, writable, responseReady, responseComplete, endWritten
        var testDescription: String { rawValue }
    }

    /// A machine brought to `name` by a real sequence of events.
    static func machine(in name: StateName) -> Machine {
        var m = Machine(limits: limits)
        switch name {
        case .idle: break
        case .receiving: _ = m.requestHead(head())
        case .responding: _ = m.requestHead(head()); _ = m.requestEnd(writable: true)
        case .parked: _ = m.requestHead(head()); _ = m.requestEnd(writable: false)
        case .closing:
            _ = m.requestHead(head("/", [("Connection", "close")])); _ = m.requestEnd(writable: true);
            _ = m.responseComplete()
        case .closed: _ = m.channelInactive()
        }
        return m
    }

    /// What each event does in each state. `out` marks the orders NIOHTTP1 never produces:
    /// they must close the connection (`closeOutOfOrder`), never be dropped unnoticed.
    enum Expected: Equatable { case proceeds, dropped, out }

    static let table: [Event: [StateName: Expected]] = [
        .head: [
            .idle: .proceeds, .receiving: .out, .responding: .out, .parked: .out, .closing: .dropped, .closed: .dropped,
        ],
        .body: [
            .idle: .out, .receiving: .proceeds, .responding: .out, .parked: .out, .closing: .dropped, .closed: .dropped,
        ],
        .end: [
            .idle: .out, .receiving: .proceeds, .responding: .out, .parked: .out, .closing: .dropped, .closed: .dropped,
        ],
        .writable: [
            .idle: .dropped, .receiving: .dropped, .responding: .dropped, .parked: .proceeds, .closing: .dropped,
            .closed: .dropped,
        ],
        .responseReady: [
            .idle: .out, .receiving: .out, .responding: .proceeds, .parked: .out, .closing: .proceeds,
            .closed: .dropped,
        ],
        .responseComplete: [
            .idle: .out, .receiving: .out, .responding: .proceeds, .parked: .out, .closing: .proceeds,
            .closed: .dropped,
        ],
        .endWritten: [
            .idle: .out, .receiving: .out, .responding: .out, .parked: .out, .closing: .proceeds, .closed: .dropped,
        ],
    ]

    @Test(
        "every event in every state is an action, a documented no-op, or a close for an out-of-order event",
        arguments: Event.allCases, StateName.allCases)
    func everyEventInEveryState(event: Event, state: StateName) throws {
        var m = Self.machine(in: state)
        let before = m.state
        let step: Step
        switch event {
        case .head: step = m.requestHead(Self.head("/other"))
        case .body: step = m.requestBody(Self.bytes(1))
        case .end: step = m.requestEnd(writable: true)
        case .writable: step = m.writabilityChanged(writable: true)
        case .responseReady: step = m.responseReady()
        case .responseComplete: step = m.responseComplete()
        case .endWritten: step = m.endWritten()
        }
        let expected = try #require(Self.table[event]?[state])
        switch expected {
        case .out:
            guard case .closeOutOfOrder(let why) = step.action else {
                Issue.record("\(event) in \(state): \(step), expected closeOutOfOrder")
                return
            }
            #expect(!why.isEmpty)
        case .dropped:
            #expect(step == Step(action: .none), "\(event) in \(state)")
            #expect(m.state == before, "\(event) in \(state) changed nothing")
        case .proceeds:
            // What each does is asserted by the sequences above; here: not refused as out of order.
            if case .closeOutOfOrder = step.action { Issue.record("\(event) in \(state) closed as out of order") }
        }
    }
}
