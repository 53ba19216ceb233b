import NIOCore
import NIOHTTP1

/// The HTTP/1.1 life of one server connection, as a value: `ConnectionHandler` reports what
/// happened (a request part, a response written, a deadline passed, a drain, the client
/// leaving) and performs the `Step` each event returns. The machine decides and holds no
/// channel, so tests drive it with any order of events, including orders NIOHTTP1 never
/// produces; the handler only does the I/O.
///
/// Every event has an answer in every state: an action, or `.none` with the reason written
/// where it is returned. Parts that arrive out of order close the connection
/// (`closeOutOfOrder`) rather than being dropped unnoticed.
///
/// Its events return rather than call back, as in NIO's `HTTPServerPipelineHandler`: the
/// handler performs an action after the event has returned, so an action that re-enters
/// the handler (writing the end of an answer hands over the next pipelined request) finds
/// the machine already in its next state.
struct ConnectionStateMachine {
    enum State: Equatable {
        /// Waiting for a request head (on a fresh connection, or between keep-alive requests).
        case idle
        /// Reading the body of this request (the bytes so far are in `body`).
        case receiving(HTTPRequestHead)
        /// A complete request is being decided, or its answer written (or streamed).
        case responding
        /// A complete request held back because the client does not read its answers:
        /// NIO's outbound buffer is past its high watermark. Decided once it reads again.
        case parked(HTTPRequestHead, ByteBuffer)
        /// The last answer is on its way (a refused request's, or one that ends the
        /// connection), then the connection closes; what else arrives is dropped unread.
        case closing
        case closed
    }

    /// Why a request is answered before its body is complete.
    enum Refusal: Equatable {
        /// Longer than `ServerLimits.maxBodyBytes` (declared or sent): `HTTPSHandler.bodyTooLarge`.
        case tooLarge
        /// Not complete within `ServerLimits.bodyTimeout`: `HTTPSHandler.bodyTimedOut`.
        case timedOut
    }

    enum Action: Equatable {
        /// Nothing to do; each place that returns it says why.
        case none
        /// Write `100 Continue` (the client waits for it before sending the body).
        case sendContinue(HTTPVersion)
        /// Hand the complete request to the handler (through the loop's `RequestCohort`).
        case dispatch(HTTPRequestHead, ByteBuffer)
        /// Answer with the handler's refusal, from what came of the body so far.
        case refuse(Refusal, HTTPRequestHead, ByteBuffer)
        /// Write the answer's head and body; `closeConnection` adds `Connection: close`.
        case writeResponse(closeConnection: Bool)
        /// Write the answer's end; when `thenClose`, report `endWritten()` once it is written.
        case writeEnd(thenClose: Bool)
        /// End the streaming answer, if one is running: it ends cleanly, then the connection closes.
        case cancelStream
        case close
        /// An event that cannot happen in this state if NIOHTTP1 keeps its contract (the reason
        /// says which): log it and close rather than guess.
        case closeOutOfOrder(String)
    }

    /// The connection's one deadline (head, body, idle, quiet period, writing the last answer).
    enum Deadline: Equatable {
        case unchanged
        /// From now.
        case arm(TimeAmount)
        /// No deadline until the next `arm`.
        case clear
    }

    /// What the handler does for an event: set the deadline, then perform the action.
    struct Step: Equatable {
        var action: Action
        var deadline: Deadline = .unchanged
    }

    /// A body declared larger than the cap is still read up to this many bytes (or the cap),
    /// so the refusal can echo an identifier from it.
    static let oversizePrefix = 64 * 1024

    private(set) var state = State.idle
    private let limits: ServerLimits
    /// False once a request asked to close, the client half-closed, or a request was refused.
    private(set) var keepAlive = true
    private(set) var draining = false
    /// The request's Content-Length is over the cap: only the prefix is read, then 413.
    private var oversizeDeclared = false
    /// The body being read. Kept outside `state` so that appending to it never copies.
    private var body = ByteBuffer()

    init(limits: ServerLimits) {
        self.limits = limits
    }

    // MARK: - The connection

    /// The connection was accepted: its first request head must come within `headerTimeout`.
    mutating func connectionStarted() -> Step {
        Step(action: .none, deadline: .arm(limits.headerTimeout))
    }

    mutating func channelInactive() -> Step {
        state = .closed  // a parked request goes with it
        body = ByteBuffer()
        return Step(action: .cancelStream, deadline: .clear)
    }

    /// An error reached the end of the pipeline (other than a TLS close without close_notify,
    /// which `inputClosed` decides).
    mutating func errorCaught() -> Step {
        if case .closed = state { return Step(action: .none) }  // already closed
        state = .closed
        return Step(action: .close)
    }

    // MARK: - Request parts

    mutating func requestHead(_ head: HTTPRequestHead) -> Step {
        switch state {
        case .idle:
            keepAlive = head.isKeepAlive
            let expectsContinue = head.headers.first(name: "expect")?.lowercased() == "100-continue"
            oversizeDeclared = false
            if let length = head.headers.first(name: "content-length").flatMap(Int.init), length > limits.maxBodyBytes {
                // Read a short prefix anyway (unless the client waits for 100-continue), so the
                // handler can still echo an identifier from it; then answer 413.
                guard !expectsContinue else { return refuse(.tooLarge, head, ByteBuffer()) }
                oversizeDeclared = true
            }
            body = ByteBuffer()
            state = .receiving(head)
            return Step(
                action: expectsContinue ? .sendContinue(head.version) : .none, deadline: .arm(limits.bodyTimeout))
        case .closing, .closed:
            return Step(action: .none)  // a request after the last one: dropped unread
        case .receiving:
            return Step(action: .closeOutOfOrder("a request head before the end of the previous request"))
        case .responding, .parked:
            return Step(
                action: .closeOutOfOrder(
                    "a request head while the previous request is answered (the pipelining handler holds these)"))
        }
    }

    mutating func requestBody(_ chunk: ByteBuffer) -> Step {
        switch state {
        case .receiving(let head):
            var chunk = chunk
            if oversizeDeclared {
                body.writeBuffer(&chunk)
                let prefix = min(Self.oversizePrefix, limits.maxBodyBytes)
                guard body.readableBytes >= prefix else { return Step(action: .none) }  // more of the prefix to come
                return refuse(.tooLarge, head, body.getSlice(at: body.readerIndex, length: prefix) ?? body)
            }
            if body.readableBytes + chunk.readableBytes > limits.maxBodyBytes {
                return refuse(.tooLarge, head, body)
            }
            // A body that arrives in one piece (the usual AdmissionReview) is kept as that
            // piece, a view of the decrypted bytes: no buffer allocated, nothing copied. The
            // cohort decides it before this connection is read again; a request still held
            // then (its parent fetched from the API) makes the decoder copy its buffer once,
            // as any shared ByteBuffer does.
            if body.readableBytes == 0 { body = chunk } else { body.writeBuffer(&chunk) }
            return Step(action: .none)  // the body grows until its end
        case .closing, .closed:
            return Step(action: .none)  // the rest of a refused body: dropped unread, never buffered
        case .idle:
            return Step(action: .closeOutOfOrder("a request body without a request head"))
        case .responding, .parked:
            return Step(action: .closeOutOfOrder("a request body after the end of its request"))
        }
    }

    /// The end of a request; `writable` is whether the client reads its answers (the channel
    /// is writable).
    mutating func requestEnd(writable: Bool) -> Step {
        switch state {
        case .receiving(let head):
            if oversizeDeclared {
                // The body ended before the declared length (the decoder would not allow this): still too large.
                return refuse(.tooLarge, head, body)
            }
            let complete = body
            body = ByteBuffer()
            guard writable else {
                // The client is not reading its answers: answer this one once it does. Until
                // then it counts as in flight, so the pipelining handler reads nothing more and
                // memory stays bounded. A client that never reads again is closed after the
                // idle timeout.
                state = .parked(head, complete)
                return Step(action: .none, deadline: .arm(limits.idleTimeout))
            }
            state = .responding
            return Step(action: .dispatch(head, complete), deadline: .clear)
        case .closing, .closed:
            return Step(action: .none)  // the end of a refused body, or of a request after the last one: dropped
        case .idle:
            return Step(action: .closeOutOfOrder("a request end without a request head"))
        case .responding, .parked:
            return Step(action: .closeOutOfOrder("a second request end"))
        }
    }

    /// The channel's writability changed; a parked request is decided once it is writable.
    mutating func writabilityChanged(writable: Bool) -> Step {
        guard writable, case .parked(let head, let complete) = state else {
            return Step(action: .none)  // nothing waits for the client to read
        }
        state = .responding
        return Step(action: .dispatch(head, complete), deadline: .clear)
    }

    // MARK: - The answer

    /// The handler's answer is ready to be written.
    mutating func responseReady() -> Step {
        switch state {
        case .responding, .closing:
            return Step(action: .writeResponse(closeConnection: !keepAlive || draining))
        case .closed:
            return Step(action: .none)  // the client left: the answer has no one to go to
        case .idle, .receiving, .parked:
            return Step(action: .closeOutOfOrder("an answer with no request dispatched"))
        }
    }

    /// The answer's head and body are written, or its stream has ended. A connection that
    /// stays open is idle again *before* the end is written: HTTPServerPipelineHandler hands
    /// over a pipelined next request from inside that write. Closing waits until it is written.
    mutating func responseComplete() -> Step {
        switch state {
        case .responding where keepAlive && !draining:
            state = .idle
            return Step(action: .writeEnd(thenClose: false), deadline: .arm(limits.idleTimeout))
        case .responding, .closing:
            state = .closing
            return Step(action: .writeEnd(thenClose: true))
        case .closed:
            return Step(action: .none)  // the client left: nothing to end
        case .idle, .receiving, .parked:
            return Step(action: .closeOutOfOrder("the end of an answer with no request dispatched"))
        }
    }

    /// The end of an answer that closes the connection was written (or failed to be).
    mutating func endWritten() -> Step {
        switch state {
        case .closing:
            state = .closed
            return Step(action: .close)
        case .closed:
            return Step(action: .none)  // the client left first
        case .idle, .receiving, .responding, .parked:
            return Step(action: .closeOutOfOrder("an answer's last write reported while the connection stays open"))
        }
    }

    // MARK: - Deadlines, drain, half-close

    /// The current deadline passed: the head (`headerTimeout`), the body (`bodyTimeout`), the
    /// keep-alive idle time or the client not reading (`idleTimeout`), the drain's quiet period,
    /// or the time allowed to write a refusal (`bodyTimeout`).
    mutating func deadlinePassed() -> Step {
        switch state {
        case .receiving(let head) where oversizeDeclared:
            // Waiting for the prefix of a body that is too large anyway: answer 413 with what came.
            return refuse(.tooLarge, head, body)
        case .receiving(let head):
            // A request whose body trickles in: the handler's 408, then close.
            return refuse(.timedOut, head, body)
        case .idle, .closing, .parked:
            // No request began in time; or the last answer could not be written in time; or the
            // client did not read its answers for the whole idle timeout.
            state = .closed
            return Step(action: .close)
        case .responding:
            return Step(action: .none)  // no deadline applies while a request is decided or streamed
        case .closed:
            return Step(action: .none)  // already closed
        }
    }

    /// The server started draining for shutdown (`DrainEvent`).
    mutating func drainStarted(quietPeriod: TimeAmount) -> Step {
        draining = true
        switch state {
        case .idle:
            // A request may already be on the wire: it gets the quiet period to begin.
            return Step(action: .none, deadline: .arm(quietPeriod))
        case .responding:
            return Step(action: .cancelStream)  // a streaming answer ends cleanly, then the connection closes
        case .receiving, .parked:
            return Step(action: .none)  // answered, with `Connection: close`
        case .closing, .closed:
            return Step(action: .none)  // closes anyway
        }
    }

    /// The client half-closed (TCP FIN, or a TLS close without close_notify). Needs
    /// `ChannelOptions.allowRemoteHalfClosure`: without it NIO closes on the FIN and an
    /// answer being written is lost.
    mutating func inputClosed() -> Step {
        keepAlive = false  // after its request: answer it, then close
        switch state {
        case .idle, .receiving:
            state = .closed  // no request, or one that can never complete
            return Step(action: .close)
        case .responding:
            // An answer is written, then the connection closes; a stream has no reader left.
            return Step(action: .cancelStream)
        case .parked:
            return Step(action: .none)  // answered, with `Connection: close`, if the client reads again
        case .closing, .closed:
            return Step(action: .none)  // closes anyway
        }
    }

    // MARK: -

    /// Ends a request that cannot complete with the handler's answer, then closes. The
    /// deadline bounds writing that answer to a client that does not read.
    private mutating func refuse(_ why: Refusal, _ head: HTTPRequestHead, _ sofar: ByteBuffer) -> Step {
        state = .closing
        keepAlive = false
        body = ByteBuffer()
        return Step(action: .refuse(why, head, sofar), deadline: .arm(limits.bodyTimeout))
    }
}
