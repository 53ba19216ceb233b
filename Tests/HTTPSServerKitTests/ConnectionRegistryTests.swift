import NIOCore
import NIOEmbedded
import Testing

@testable import HTTPSServerKit

/// After a spike of connections the server gives the heap back (RSS stayed at the peak,
/// 98 MiB after 2,000 connections closed, 36 MiB after a trim: docs/reliability.md).
@Suite("Connection registry")
struct ConnectionRegistryTests {
    final class Count: @unchecked Sendable {
        var value = 0
    }

    @Test("a spike that has mostly closed asks for one trim; small comings and goings ask for none")
    func spikeEndedOnce() throws {
        let trims = Count()
        let registry = ConnectionRegistry(limit: 10_000) { trims.value += 1 }
        let small = (0..<10).map { _ in EmbeddedChannel() }
        for channel in small { #expect(registry.admit(channel).admitted) }
        for channel in small { try channel.close().wait(); channel.embeddedEventLoop.run() }
        #expect(trims.value == 0)

        let spike = (0..<400).map { _ in EmbeddedChannel() }
        for channel in spike { #expect(registry.admit(channel).admitted) }
        for channel in spike.prefix(250) { try channel.close().wait(); channel.embeddedEventLoop.run() }
        #expect(trims.value == 0, "150 of 400 still open")
        for channel in spike.dropFirst(250).prefix(60) { try channel.close().wait(); channel.embeddedEventLoop.run() }
        #expect(trims.value == 1, "90 of 400 open: the spike is over")
        for channel in spike.dropFirst(310) { try channel.close().wait(); channel.embeddedEventLoop.run() }
        #expect(trims.value == 1, "the peak restarted from what was left")
        #expect(registry.count == 0)
    }

    @Test("connections over the cap are refused, counted, and reported once per interval")
    func refusalsCounted() throws {
        let registry = ConnectionRegistry(limit: 1, refusalLogInterval: .seconds(10)) {}
        #expect(registry.admit(EmbeddedChannel()).admitted)
        let start = NIODeadline.now()
        let first = registry.admit(EmbeddedChannel(), now: start)
        #expect(!first.admitted && first.refusedToReport == 1)
        for i in 1...5 {
            #expect(registry.admit(EmbeddedChannel(), now: start + .seconds(Int64(i))).refusedToReport == nil)
        }
        #expect(registry.admit(EmbeddedChannel(), now: start + .seconds(11)).refusedToReport == 6)
        #expect(registry.refused == 7)
    }
}
