import Foundation
import Testing

/// Polls `condition` until it holds, failing the test after a generous bound (not a timing
/// assertion: the bound only stops a test that would otherwise hang).
public func waitFor(_ what: String, _ condition: () async throws -> Bool) async throws {
    for _ in 0..<1000 {
        if try await condition() { return }
        try await Task.sleep(for: .milliseconds(10))
    }
    Issue.record("gave up waiting for: \(what)")
    throw CancellationError()
}

/// Where the tests expect the `openssl` command (suites that need it are skipped without it).
public let opensslCommandPath = "/usr/bin/openssl"

/// `openssl pkey -traditional`: a PKCS#8 key in, the same key as PKCS#1 (RSA) or SEC1 (EC) out,
/// the older formats kubeconfigs still carry.
public func traditionalKeyPEM(_ pkcs8: String) throws -> String {
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("key-\(UUID().uuidString).pem")
    try Data(pkcs8.utf8).write(to: input)
    defer { try? FileManager.default.removeItem(at: input) }
    let process = Process()
    process.executableURL = URL(fileURLWithPath: opensslCommandPath)
    process.arguments = ["pkey", "-in", input.path, "-traditional"]
    let out = Pipe()
    process.standardOutput = out
    try process.run()
    let data = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    try #require(process.terminationStatus == 0, "openssl pkey -traditional failed")
    return String(decoding: data, as: UTF8.self)
}
