import Foundation
import KubeAPIMachinery
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// What `/leader` reports.
struct LeaderStatus: Sendable, Equatable {
    var identity: String
    var lease: String
    var holder: String?
    var isLeader: Bool
    var fencingToken: Int?

    var json: JSONValue {
        var object: [String: JSONValue] = [
            "identity": .string(identity), "lease": .string(lease), "holder": holder.map { .string($0) } ?? .null,
            "isLeader": .bool(isLeader),
        ]
        if let fencingToken { object["fencingToken"] = .int(Int64(fencingToken)) }
        return .object(object)
    }
}

/// `--status-port`: a tiny HTTP/1.1 server for probes (`/healthz`) and peers (`/leader`).
///
/// Why blocking sockets on one thread: two tiny GETs, a few a second at most; an event loop
/// would be most of the binary.
final class StatusServer: Sendable {
    private let status: Mutex<LeaderStatus>
    private let descriptor: Int32
    let port: Int

    /// Binds `address:port` (port 0: any free one).
    init(address: String, port: Int, initial: LeaderStatus) throws {
        status = Mutex(initial)
        var hints = addrinfo()
        hints.ai_flags = AI_NUMERICHOST | AI_PASSIVE
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var info: UnsafeMutablePointer<addrinfo>?
        guard getaddrinfo(address, String(port), &hints, &info) == 0, let first = info else {
            throw SpawnError(description: "--status-address \(address): not a numeric IP address")
        }
        defer { freeaddrinfo(info) }
        let fd = socket(first.pointee.ai_family, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw SpawnError(description: "status socket: \(String(cString: strerror(errno)))") }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        guard bind(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) == 0, listen(fd, 16) == 0 else {
            let message = String(cString: strerror(errno))
            close(fd)
            throw SpawnError(description: "--status-port \(port) on \(address): \(message)")
        }
        var bound = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        // sin_port and sin6_port both sit at offset 2, in network byte order.
        let boundPort = withUnsafeMutableBytes(of: &bound) { raw -> UInt16 in
            _ = getsockname(fd, raw.baseAddress!.assumingMemoryBound(to: sockaddr.self), &length)
            return UInt16(raw[2]) << 8 | UInt16(raw[3])
        }
        descriptor = fd
        self.port = Int(boundPort)
        let thread = Thread { [self] in serve() }
        thread.name = "singleton-run status"
        thread.start()
    }

    func update(_ change: (inout LeaderStatus) -> Void) {
        status.withLock { change(&$0) }
    }

    private func serve() {
        while true {
            let connection = accept(descriptor, nil, nil)
            if connection < 0 {
                if errno == EINTR || errno == ECONNABORTED { continue }
                return
            }
            var timeout = timeval(tv_sec: 2, tv_usec: 0)
            setsockopt(connection, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            respond(on: connection)
            close(connection)
        }
    }

    private func respond(on connection: Int32) {
        var buffer = [UInt8](repeating: 0, count: 2048)
        var received = 0
        while received < buffer.count {
            let n = buffer.withUnsafeMutableBytes { read(connection, $0.baseAddress! + received, $0.count - received) }
            if n <= 0 { break }
            received += n
            if buffer[0..<received].firstRange(of: Array("\r\n".utf8)) != nil { break }
        }
        let line = String(decoding: buffer[0..<received], as: UTF8.self).split(separator: "\r\n").first ?? ""
        let parts = line.split(separator: " ")
        let (code, body): (String, String)
        if parts.count < 2 || (parts[0] != "GET" && parts[0] != "HEAD") {
            (code, body) = ("405 Method Not Allowed", "only GET\n")
        } else {
            switch parts[1].split(separator: "?").first.map(String.init) ?? "" {
            case "/healthz": (code, body) = ("200 OK", "ok\n")
            case "/leader":
                let json = status.withLock { $0.json }
                (code, body) = ("200 OK", String(decoding: json.serialized(), as: UTF8.self) + "\n")
            default: (code, body) = ("404 Not Found", "not found: use /healthz or /leader\n")
            }
        }
        let type = body.hasPrefix("{") ? "application/json" : "text/plain; charset=utf-8"
        let head =
            "HTTP/1.1 \(code)\r\nContent-Type: \(type)\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array((parts.first == "HEAD" ? head : head + body).utf8)
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes {
                send(connection, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL))
            }
            if n <= 0 { return }
            sent += n
        }
    }
}
