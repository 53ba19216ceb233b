import ArgumentParser
import Foundation
import Testing

@testable import SingletonRun

@Suite struct RunCommandTests {
    @Test func theDefaultIdentityIsHostnameUnderscoreUUID() throws {
        let identity = RunCommand.defaultIdentity()
        let parts = identity.split(separator: "_")
        try #require(parts.count >= 2, "\(identity)")
        #expect(UUID(uuidString: String(parts.last!)) != nil)
        let host = try String(contentsOfFile: "/proc/sys/kernel/hostname", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(identity == "\(host)_\(parts.last!)")
        #expect(RunCommand.defaultIdentity() != identity, "a new uuid per process")
    }

    @Test func durationsAndTheirRulesAreChecked() throws {
        let ok = try RunCommand.parse([
            "--lease", "l", "--lease-duration", "2s", "--renew-deadline", "1500ms", "--retry-period", "0.3s", "--",
            "true",
        ])
        let timing = try ok.timing()
        #expect(timing.leaseDuration == .seconds(2) && timing.renewDeadline == .milliseconds(1500))
        #expect(timing.retryPeriod == .milliseconds(300))
        let cases: [([String], String)] = [
            (["--lease", "l"], "give the command to run after --"),
            (
                ["--lease", "l", "--lease-duration", "10s", "--", "true"],
                "--lease-duration must be greater than --renew-deadline"
            ),
            (
                [
                    "--lease", "l", "--lease-duration", "2.5s", "--renew-deadline", "1s", "--retry-period", "0.5s",
                    "--", "true",
                ], "whole number of seconds"
            ),
            (["--lease", "l", "--grace", "soon", "--", "true"], "invalid --grace \"soon\""),
            (["--lease", "l", "--status-port", "70000", "--", "true"], "--status-port must be between 0 and 65535"),
        ]
        for (arguments, message) in cases {
            do {
                _ = try RunCommand.parse(arguments)
                Issue.record("accepted \(arguments)")
            } catch {
                #expect(
                    RunCommand.message(for: error).contains(message), "\(arguments): \(RunCommand.message(for: error))")
            }
        }
    }

    @Test func aCommandIsSearchedInPATHBeforeForking() {
        #expect(ChildProcess.resolve("sh", path: "/nonexistent:/bin:/usr/bin") == "/bin/sh")
        #expect(ChildProcess.resolve("./x", path: "/bin") == "./x")
        #expect(ChildProcess.resolve("no-such-command-here", path: "/bin:/usr/bin") == nil)
    }
}
