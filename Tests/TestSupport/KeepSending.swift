import Foundation
import NIOCore

/// What a client loop saw: answers, requests written and never answered, refused connects.
public struct SendTally: Sendable, CustomStringConvertible {
    public var answered = 0
    public var lost = 0
    public var refused = 0
    public var closeHeaders = 0
    /// Requests whose write failed on a connection the server had closed: never sent.
    public var unsent = 0
    public var lostErrors: [String] = []
    public var description: String {
        "answered \(answered), lost \(lost), unsent \(unsent), refused \(refused), close headers \(closeHeaders)"
    }
}

/// Sends requests back to back on keep-alive connections until the server stops taking
/// new ones, reconnecting after every answer that carries `Connection: close`.
public func keepSending(
    port: Int, tls: ClientTLS, until deadline: ContinuousClock.Instant,
    path: String = "/validate", body: @escaping @Sendable () -> ByteBuffer = { ByteBuffer(string: "{}") }
) async -> SendTally {
    var tally = SendTally()
    var client: HTTPSClient?
    while ContinuousClock.now < deadline {
        if client == nil {
            do {
                client = try await HTTPSClient.connect(host: "127.0.0.1", port: port, tls: tls)
            } catch {
                tally.refused += 1  // a new connection refused is not a lost request
                return tally
            }
        }
        guard let open = client else { break }
        do {
            let answer = try await open.send(.POST, path, headers: ["Content-Type": "application/json"], body: body())
            guard answer.status == .ok else {
                tally.lost += 1
                tally.lostErrors.append("status \(answer.status.code)")
                return tally
            }
            tally.answered += 1
            if answer.headers.first(name: "connection")?.lowercased() == "close" {
                tally.closeHeaders += 1
                await open.close()
                client = nil
            }
        } catch let error as ChannelError where error == .ioOnClosedChannel {
            // The write failed: the server had already closed this idle connection (after
            // its drain quiet period), so nothing was sent. A client reconnects; not lost.
            tally.unsent += 1
            await open.close()
            client = nil
        } catch {
            // The request was written on an open connection and no answer came.
            tally.lost += 1
            tally.lostErrors.append("\(error)")
            await open.close()
            client = nil
        }
    }
    await client?.close()
    return tally
}
