import Foundation
import Testing

/// used_memory against what the process really holds: a `hearsay server` process is loaded
/// with keys and the growth of its used_memory is compared with the growth of its resident
/// memory, as the operator's dashboards would.
@Suite struct MemoryAccountingProcessTests {
    static func memory(_ client: TestClient) throws -> (used: Int, resident: Int) {
        let info = try client.command("INFO", "memory")
        func field(_ name: String) -> Int {
            for line in info.split(separator: "\r\n") where line.hasPrefix(name + ":") {
                return Int(line.dropFirst(name.count + 1)) ?? -1
            }
            return -1
        }
        return (field("used_memory"), field("used_memory_rss"))
    }

    /// SETs `count` keys of `valueBytes` bytes, pipelined 1,000 at a time.
    static func load(_ client: TestClient, prefix: String, count: Int, valueBytes: Int) throws {
        let value = String(repeating: "x", count: valueBytes)
        for start in stride(from: 0, to: count, by: 1_000) {
            var batch: [UInt8] = []
            for i in start..<min(count, start + 1_000) { batch += resp(["SET", "\(prefix):\(i)", value]) }
            try client.send(batch)
            for _ in start..<min(count, start + 1_000) { #expect(try client.readReply() == "+OK\r\n") }
        }
    }

    @Test(arguments: [100, 1_000])
    func usedMemoryGrowsWithResidentMemoryWithinTenPercent(valueBytes: Int) throws {
        let cluster = try LocalCluster()
        defer { cluster.stopAll() }
        let node = try cluster.start("n1", [])
        let client = try TestClient(port: node.clientPort, timeout: 30)
        let before = try Self.memory(client)
        try Self.load(client, prefix: "key", count: valueBytes >= 1_000 ? 50_000 : 200_000, valueBytes: valueBytes)
        // The driver reads resident memory about once a second.
        Thread.sleep(forTimeInterval: 2.5)
        let after = try Self.memory(client)
        let used = Double(after.used - before.used)
        let resident = Double(after.resident - before.resident)
        #expect(resident > 0 && abs(used - resident) <= 0.10 * resident, "used_memory grew \(used), RSS \(resident)")
    }
}
