import Foundation

extension KubeClient {
    /// Watches a collection (or one object, with `fieldSelector: "metadata.name=x"`) and delivers
    /// its events as they arrive.
    ///
    /// - The stream ends normally when the server closes the watch (after `timeoutSeconds`, or
    ///   its own limit); resume with the last event's `resourceVersion`.
    /// - An ERROR event ends the stream by throwing its `KubeAPIError`. **410 Gone**
    ///   (`error.isGone`) means `resourceVersion` is too old: list again, then watch from the
    ///   list's resourceVersion.
    /// - Cancelling the consuming task (or dropping the stream) stops the transfer.
    ///
    /// - Parameters:
    ///   - resourceVersion: where to start (a list's resourceVersion or the last event's); nil
    ///     starts with synthetic ADDED events for everything that exists.
    ///   - allowBookmarks: ask for BOOKMARK events (resume points without object changes).
    ///   - metadataOnly: events carry `PartialObjectMetadata` objects.
    ///   - timeoutSeconds: ask the server to end the watch after this long.
    ///   - onOpen: called when the server accepts the watch (status 200), before any event:
    ///     the one sign of life a quiet watch gives, since bookmarks are at the server's discretion.
    public func watch(_ path: String, resourceVersion: String? = nil, labelSelector: String? = nil,
                      fieldSelector: String? = nil, allowBookmarks: Bool = true, metadataOnly: Bool = false,
                      timeoutSeconds: Int? = nil, onOpen: (@Sendable () -> Void)? = nil) -> AsyncThrowingStream<WatchEvent, any Error> {
        var query = [URLQueryItem(name: "watch", value: "true")]
        if let resourceVersion, !resourceVersion.isEmpty { query.append(URLQueryItem(name: "resourceVersion", value: resourceVersion)) }
        if allowBookmarks { query.append(URLQueryItem(name: "allowWatchBookmarks", value: "true")) }
        if let labelSelector, !labelSelector.isEmpty { query.append(URLQueryItem(name: "labelSelector", value: labelSelector)) }
        if let fieldSelector, !fieldSelector.isEmpty { query.append(URLQueryItem(name: "fieldSelector", value: fieldSelector)) }
        if let timeoutSeconds { query.append(URLQueryItem(name: "timeoutSeconds", value: String(timeoutSeconds))) }
        let accept = metadataOnly ? MetadataOnlyAccept.object : "application/json"
        let finalQuery = query
        return AsyncThrowingStream { continuation in
            let stop = CancellationFlag()
            let task = Task {
                do {
                    let url = try self.makeURL(path: path, query: finalQuery)
                    var refreshed = false
                    while true {
                        let request = try await self.makeRequest(method: "GET", url: url, body: nil, contentType: nil,
                                                                 accept: accept, timeout: nil)
                        let decoder = WatchStreamDecoder(continuation: continuation, stop: stop)
                        _ = try await self.transport.stream(request, onHead: { status, _ in
                            decoder.head(status)
                            if status == 200 { onOpen?() }
                        },
                                                            onBody: { decoder.receive($0) }, stop: stop)
                        if decoder.status == 401, !refreshed, self.credentials.canRefresh {
                            refreshed = true
                            await self.credentials.invalidate()
                            continue
                        }
                        try decoder.finish()
                        continuation.finish()
                        return
                    }
                } catch let error as TransportError where error.kind == .cancelled {
                    continuation.finish()  // either we stopped after an ERROR event, or the consumer left
                } catch {
                    continuation.finish(throwing: error)
                }
            }
            continuation.onTermination = { _ in
                stop.set()
                task.cancel()
            }
        }
    }
}

/// Turns a watch response's chunks into events on a continuation.
///
/// Why a class with a lock: curl delivers chunks on its own thread while the owning task reads
/// the final status; the lock keeps the two consistent.
final class WatchStreamDecoder: @unchecked Sendable {
    private let lock = NSLock()
    private let continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation
    private let stop: CancellationFlag
    private var splitter = LineSplitter()
    private var errorBody = Data()
    private var statusCode = 0
    private var failure: (any Error)?

    init(continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation, stop: CancellationFlag) {
        self.continuation = continuation
        self.stop = stop
    }

    var status: Int { lock.withLock { statusCode } }

    func head(_ status: Int) { lock.withLock { statusCode = status } }

    func receive(_ chunk: Data) {
        lock.withLock {
            guard failure == nil else { return }
            guard statusCode == 200 else {
                if errorBody.count < 1 << 20 { errorBody.append(chunk.prefix((1 << 20) - errorBody.count)) }
                return
            }
            for line in splitter.append(chunk) { deliver(line) }
        }
    }

    /// Called after the transfer: throws an HTTP error status, a decoded ERROR event, or a bad event.
    func finish() throws {
        try lock.withLock {
            if let failure { throw failure }
            if statusCode != 200 { throw KubeAPIError.decode(status: statusCode, body: errorBody) }
            if let rest = splitter.finish() {
                deliver(rest)
                if let failure { throw failure }
            }
        }
    }

    /// Must hold the lock.
    private func deliver(_ line: Data) {
        guard failure == nil else { return }
        do {
            let event = try WatchEvent.decode(line: line)
            if event.type == .error {
                failure = KubeAPIError.decode(status: 500, body: event.object)
                // The server closes the watch after an ERROR; stop reading now regardless.
                stop.set()
                continuation.finish(throwing: failure)
                return
            }
            continuation.yield(event)
        } catch {
            failure = error
            stop.set()
            continuation.finish(throwing: error)
        }
    }
}
