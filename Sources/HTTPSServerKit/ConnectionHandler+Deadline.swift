import NIOCore

/// The connection's one timeout at a time: the head, body or keep-alive idle deadline.
extension ConnectionHandler {
    /// Sets the one deadline of the current phase (head, body, idle). Only a deadline earlier
    /// than the pending timer schedules a new one; a later deadline waits for the pending
    /// timer, which then re-arms for the rest. So a busy keep-alive connection does not
    /// schedule and cancel two timers per request, only about one per timeout period.
    func arm(_ amount: TimeAmount, _ context: ChannelHandlerContext) {
        deadline = .now() + amount
        if let at = timerFiresAt, at <= deadline { return }
        timer?.cancel()
        schedule(at: deadline, context)
    }

    /// No deadline until the next `arm` (a pending timer finds nothing to do).
    func disarm() {
        deadline = .distantFuture
    }

    private func schedule(at when: NIODeadline, _ context: ChannelHandlerContext) {
        timerFiresAt = when
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: when) {
            self.timerFired(context)
        }
    }

    private func timerFired(_ context: ChannelHandlerContext) {
        timer = nil
        timerFiresAt = nil
        guard deadline != .distantFuture else { return }
        if NIODeadline.now() < deadline {
            schedule(at: deadline, context)
            return
        }
        deadline = .distantFuture
        timedOut(context)
    }
}
