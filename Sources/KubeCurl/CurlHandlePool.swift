import Foundation
import Synchronization
import KubeClient

/// Idle curl handles kept per host, so consecutive requests reuse an open connection (keep-alive,
/// TLS session) instead of handshaking again.
///
/// Why a mutex rather than an actor: it is used from the blocking worker threads that run curl,
/// never from async code, and holds the mutex only to push or pop.
final class CurlHandlePool: Sendable {
    /// A handle at rest. `CurlHandle` is not `Sendable`; an idle one belongs to no transfer,
    /// and the pool hands each out to exactly one taker.
    private struct Idle: @unchecked Sendable {
        let handle: CurlHandle
    }

    private let idle = Mutex<[String: [Idle]]>([:])
    private let maxIdlePerHost: Int

    init(maxIdlePerHost: Int) {
        self.maxIdlePerHost = max(maxIdlePerHost, 0)
    }

    /// `scheme://host:port` of a URL: the unit of connection reuse.
    static func key(for url: String) -> String {
        guard let components = URLComponents(string: url) else { return url }
        let scheme = components.scheme?.lowercased() ?? "https"
        let port = components.port ?? (scheme == "http" ? 80 : 443)
        return "\(scheme)://\(components.host?.lowercased() ?? ""):\(port)"
    }

    /// An idle handle for `key`, or a new one (nil only if libcurl cannot allocate).
    func checkout(_ key: String) -> CurlHandle? {
        let handle = idle.withLock { $0[key]?.popLast() }
        return handle?.handle ?? CurlHandle()
    }

    /// Returns a handle after a transfer; dropped (closing its connections) when the host already
    /// has enough idle handles, or when the transfer failed below HTTP.
    func checkin(_ handle: CurlHandle, key: String, reusable: Bool) {
        guard reusable else { return }
        let resting = Idle(handle: handle)
        idle.withLock { idle in
            var handles = idle[key] ?? []
            if handles.count < maxIdlePerHost {
                handles.append(resting)
                idle[key] = handles
            }
        }
    }
}
