import Synchronization

/// Idle keep-alive connections, per server and TLS identity, for `NIOTransport.perform`.
///
/// Why: a new connection to the API server costs a TCP and a TLS handshake; the webhook's
/// parent lookups are short GETs in bursts. Idle connections the server has closed in the
/// meantime are dropped when taken, and at most `maxIdlePerKey` are kept per key (extra ones
/// are closed). Streams never come back here.
final class ConnectionPool: Sendable {
    private struct State {
        var idle: [ConnectionKey: [Connection]] = [:]
        var opened = 0
    }

    private let state = Mutex(State())
    let maxIdlePerKey: Int

    init(maxIdlePerKey: Int) {
        self.maxIdlePerKey = max(0, maxIdlePerKey)
    }

    /// The most recently returned live connection for `key`, if any.
    func take(_ key: ConnectionKey) -> Connection? {
        var dead: [Connection] = []
        let found: Connection? = state.withLock { state in
            while var list = state.idle[key], let candidate = list.popLast() {
                state.idle[key] = list.isEmpty ? nil : list
                if candidate.isUsable { return candidate }
                dead.append(candidate)
            }
            return nil
        }
        dead.forEach { $0.close() }
        return found
    }

    /// Keeps `connection` for reuse, or closes it when the key already has enough idle ones or
    /// the connection is no longer usable.
    func giveBack(_ connection: Connection) {
        let kept = state.withLock { state -> Bool in
            guard connection.isUsable else { return false }
            var list = state.idle[connection.key] ?? []
            guard list.count < maxIdlePerKey else { return false }
            list.append(connection)
            state.idle[connection.key] = list
            return true
        }
        if !kept { connection.close() }
    }

    /// Records that a new connection was opened (for tests and diagnostics).
    func noteOpened() {
        state.withLock { $0.opened += 1 }
    }

    /// How many connections this pool's transport has opened so far.
    var openedConnections: Int { state.withLock { $0.opened } }

    /// How many idle connections are kept now, over all keys.
    var idleConnections: Int { state.withLock { $0.idle.values.reduce(0) { $0 + $1.count } } }

    /// Closes every idle connection.
    func closeAll() {
        let all = state.withLock { state -> [Connection] in
            let all = state.idle.values.flatMap { $0 }
            state.idle = [:]
            return all
        }
        all.forEach { $0.close() }
    }
}
