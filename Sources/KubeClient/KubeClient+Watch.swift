import Foundation
import Synchronization
import KubeAPIMachinery

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
    public func watch(
        _ path: String, resourceVersion: String? = nil, labelSelector: String? = nil,
        fieldSelector: String? = nil, allowBookmarks: Bool = true, metadataOnly: Bool = false,
        timeoutSeconds: Int? = nil, onOpen: (@Sendable () -> Void)? = nil
    ) -> AsyncThrowingStream<WatchEvent, any Error> {
        var query = [URLQueryItem(name: "watch", value: "true")]
        if let resourceVersion, !resourceVersion.isEmpty {
            query.append(URLQueryItem(name: "resourceVersion", value: resourceVersion))
        }
        if allowBookmarks { query.append(URLQueryItem(name: "allowWatchBookmarks", value: "true")) }
        if let labelSelector, !labelSelector.isEmpty {
            query.append(URLQueryItem(name: "labelSelector", value: labelSelector))
        }
        if let fieldSelector, !fieldSelector.isEmpty {
            query.append(URLQueryItem(name: "fieldSelector", value: fieldSelector))
        }
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
                        let request = try await self.makeRequest(
                            method: "GET", url: url, body: nil, contentType: nil,
                            accept: accept, timeout: nil)
                        let decoder = WatchStreamDecoder(continuation: continuation, stop: stop)
                        _ = try await self.transport.stream(
                            request,
                            onHead: { status, _ in
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
/// Why a class with a mutex: curl delivers chunks on its own thread while the owning task reads
/// the final status; the mutex keeps the two consistent.
final class WatchStreamDecoder: Sendable {
    private struct State {
        var splitter = LineSplitter()
        var errorBody = Data()
        var statusCode = 0
        var failure: (any Error)?
    }

    private let state = Mutex(State())
    private let continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation
    private let stop: CancellationFlag

    init(continuation: AsyncThrowingStream<WatchEvent, any Error>.Continuation, stop: CancellationFlag) {
        self.continuation = continuation
        self.stop = stop
    }

    var status: Int { state.withLock { $0.statusCode } }

    func head(_ status: Int) { state.withLock { $0.statusCode = status } }

    func receive(_ chunk: Data) {
        state.withLock { state in
            guard state.failure == nil else { return }
            guard state.statusCode == 200 else {
                if state.errorBody.count < 1 << 20 {
                    state.errorBody.append(chunk.prefix((1 << 20) - state.errorBody.count))
                }
                return
            }
            for line in state.splitter.append(chunk) { deliver(line, &state) }
        }
    }

    /// Called after the transfer: throws an HTTP error status, a decoded ERROR event, or a bad event.
    func finish() throws {
        try state.withLock { (state: inout State) throws -> Void in
            if let failure = state.failure { throw failure }
            if state.statusCode != 200 { throw KubeAPIError.decode(status: state.statusCode, body: state.errorBody) }
            if let rest = state.splitter.finish() {
                deliver(rest, &state)
                if let failure = state.failure { throw failure }
            }
        }
    }

    /// Runs under the mutex (it is handed the locked state).
    private func deliver(_ line: Data, _ state: inout State) {
        guard state.failure == nil else { return }
        do {
            let event = try WatchEvent.decode(line: line)
            if event.type == .error {
                let failure = KubeAPIError.decode(status: 500, body: event.object)
                state.failure = failure
                // The server closes the watch after an ERROR; stop reading now regardless.
                stop.set()
                continuation.finish(throwing: failure)
                return
            }
            continuation.yield(event)
        } catch {
            state.failure = error
            stop.set()
            continuation.finish(throwing: error)
        }
    }
}
