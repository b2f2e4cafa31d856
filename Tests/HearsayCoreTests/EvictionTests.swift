import Testing

@testable import HearsayCore

/// Redis's eviction policies on one node: what each keeps, where OOM comes, and the
/// commands around them (CONFIG, OBJECT IDLETIME / FREQ, TOUCH, CLIENT NO-TOUCH).
@Suite struct EvictionTests {
    static let value = String(repeating: "v", count: 100)
    static let oom = err("OOM command not allowed when used memory > 'maxmemory'.")

    func node(policy: String, maxmemory: Int = 20_000) -> CommandHarness {
        var h = CommandHarness()
        #expect(h.run("CONFIG", "SET", "maxmemory-policy", policy) == ok)
        #expect(h.run("CONFIG", "SET", "maxmemory", String(maxmemory)) == ok)
        return h
    }

    func used(_ h: CommandHarness) -> Int { h.node.keyspace.usedBytes }

    @Test(arguments: ["allkeys-lru", "allkeys-lfu", "allkeys-random"])
    func allKeysPoliciesKeepWritingWithinTheBound(policy: String) {
        var h = node(policy: policy)
        for i in 0..<1_000 {
            #expect(h.run("SET", "key:\(i)", Self.value) == ok)
            // Eviction runs before each command: at most one write above the bound.
            #expect(used(h) <= 20_000 + 300)
            h.advance(milliseconds: 10)
        }
        #expect(h.node.store.evictor.evictedKeys > 800)
        #expect(h.node.keyspace.liveCount < 200)
        #expect(h.run("INFO", "stats").contains("evicted_keys:\(h.node.store.evictor.evictedKeys)\r\n"))
    }

    @Test func noEvictionRefusesGrowingCommandsOnceOverTheBound() {
        var h = node(policy: "noeviction", maxmemory: 2_000)
        var first: Int? = nil
        for i in 0..<100 where h.run("SET", "key\(i)", Self.value) == Self.oom {
            first = first ?? i
        }
        // As Redis: refused only once memory is over the bound, whatever the write's size.
        #expect(first != nil)
        #expect(used(h) > 2_000)
        #expect(h.node.keyspace.liveCount == first)
        #expect(h.run("GET", "key0") == bulk(Self.value))  // reads go on
        #expect(h.run("DEL", "key1") == int(1))  // DEL is not refused, and frees memory
        let over = used(h) > 2_000
        #expect((h.run("INCR", "counter") == Self.oom) == over, "refused exactly when over the bound")
        #expect(h.node.store.evictor.evictedKeys == 0)
    }

    @Test func lruKeepsTheKeysReadRecently() {
        // Room for about 145 keys of 250: the 80 old keys never read should go first.
        var h = node(policy: "allkeys-lru", maxmemory: 30_000)
        #expect(h.run("CONFIG", "SET", "maxmemory-samples", "10") == ok)
        for i in 0..<100 { h.run("SET", "old:\(i)", Self.value) }
        h.advance(milliseconds: 5_000)
        for i in 0..<20 { #expect(h.run("GET", "old:\(i)") == bulk(Self.value)) }
        for i in 0..<150 {
            h.advance(milliseconds: 100)
            h.run("SET", "new:\(i)", Self.value)
            if i % 10 == 9 { for k in 0..<20 { h.run("GET", "old:\(k)") } }
        }
        // The 20 keys read every second stay; sampling with a pool of 16 evicts nearly all
        // the untouched old keys before any newer one.
        let kept = (0..<20).filter { h.run("EXISTS", "old:\($0)") == int(1) }.count
        let keptUnread = (20..<100).filter { h.run("EXISTS", "old:\($0)") == int(1) }.count
        #expect(kept >= 18)
        #expect(keptUnread <= 5)
    }

    @Test func lfuKeepsTheKeysReadOften() {
        var h = node(policy: "allkeys-lfu", maxmemory: 40_000)
        #expect(h.run("CONFIG", "SET", "maxmemory-samples", "10") == ok)
        for i in 0..<100 { h.run("SET", "k:\(i)", Self.value) }
        for _ in 0..<50 { for i in 0..<20 { h.run("GET", "k:\(i)") } }
        for i in 0..<150 { h.run("SET", "new:\(i)", Self.value) }
        let kept = (0..<20).filter { h.run("EXISTS", "k:\($0)") == int(1) }.count
        #expect(kept >= 18)
        let frequency = h.run("OBJECT", "FREQ", "k:0")
        #expect((Int(frequency.dropFirst().prefix(while: \.isNumber)) ?? 0) > 5, "\(frequency)")
    }

    @Test func volatilePoliciesEvictOnlyKeysWithAnExpiry() {
        var h = node(policy: "volatile-lru")
        for i in 0..<40 { h.run("SET", "keep:\(i)", Self.value) }
        for i in 0..<200 { #expect(h.run("SET", "tmp:\(i)", Self.value, "EX", "1000") == ok) }
        #expect((0..<40).allSatisfy { h.run("EXISTS", "keep:\($0)") == int(1) })
        // Once no key with an expiry is left, writes get OOM as in Redis.
        var refused = false
        for i in 0..<200 where h.run("SET", "more:\(i)", Self.value) == Self.oom { refused = true }
        #expect(refused)
    }

    @Test func volatileTTLEvictsTheNearestExpiryFirst() {
        // Room for about 95 keys of 160, all with an expiry.
        var h = node(policy: "volatile-ttl", maxmemory: 20_000)
        #expect(h.run("CONFIG", "SET", "maxmemory-samples", "20") == ok)
        for i in 0..<100 { h.run("SET", "t:\(i)", Self.value, "EX", String(1_000 + i * 100)) }
        for i in 0..<60 { h.run("SET", "later:\(i)", Self.value, "EX", "100000") }
        let survivors = (0..<100).filter { h.run("EXISTS", "t:\($0)") == int(1) }
        // The keys that expire soonest went first.
        #expect(survivors.count < 60)
        #expect(survivors.allSatisfy { $0 >= 30 })
    }

    @Test func configShowsAndValidatesTheEvictionSettings() {
        var h = CommandHarness()
        #expect(h.run("CONFIG", "GET", "maxmemory-policy") == array(bulk("maxmemory-policy"), bulk("noeviction")))
        #expect(h.run("CONFIG", "SET", "maxmemory-policy", "ALLKEYS-LFU") == ok)
        #expect(h.run("CONFIG", "GET", "maxmemory-policy") == array(bulk("maxmemory-policy"), bulk("allkeys-lfu")))
        #expect(h.run("CONFIG", "SET", "maxmemory-policy", "lru").hasPrefix("-ERR CONFIG SET failed"))
        #expect(h.run("CONFIG", "SET", "maxmemory-samples", "0").hasPrefix("-ERR CONFIG SET failed"))
        #expect(h.run("CONFIG", "SET", "maxmemory-samples", "7", "lfu-log-factor", "5", "lfu-decay-time", "3") == ok)
        #expect(
            h.run("CONFIG", "GET", "lfu-*")
                == array(bulk("lfu-log-factor"), bulk("5"), bulk("lfu-decay-time"), bulk("3")))
        #expect(h.run("CONFIG", "SET", "maxmemory", "100mb") == ok)
        #expect(h.node.keyspace.maxMemoryBytes == 100 << 20)
        #expect(h.node.store.evictor.samples == 7)
        let info = h.run("INFO", "memory")
        #expect(info.contains("maxmemory:104857600\r\n"))
        #expect(info.contains("maxmemory_human:100.00M\r\n"))
        #expect(info.contains("maxmemory_policy:allkeys-lfu\r\n"))
    }

    @Test func objectIdletimeAndFreqFollowThePolicy() {
        var h = CommandHarness()
        h.run("SET", "k", "v")
        h.advance(milliseconds: 7_500)
        #expect(h.run("OBJECT", "IDLETIME", "k") == int(7))
        #expect(h.run("OBJECT", "IDLETIME", "k") == int(7))  // OBJECT does not touch
        #expect(h.run("TYPE", "k") == "+string\r\n")
        #expect(h.run("TTL", "k") == int(-1))
        #expect(h.run("EXISTS", "k") == int(1))
        #expect(h.run("OBJECT", "IDLETIME", "k") == int(7))  // nor do TYPE, TTL and EXISTS
        #expect(h.run("OBJECT", "FREQ", "k").hasPrefix("-ERR An LFU maxmemory policy is not selected"))
        h.run("GET", "k")
        #expect(h.run("OBJECT", "IDLETIME", "k") == int(0))
        h.run("CONFIG", "SET", "maxmemory-policy", "volatile-lfu")
        #expect(
            h.run("OBJECT", "IDLETIME", "k").hasPrefix(
                "-ERR An LFU maxmemory policy is selected, idle time not tracked"))
        #expect(h.run("OBJECT", "FREQ", "nokey") == nullBulk)
    }

    @Test func touchCountsAndRecordsAccessEvenForNoTouchClients() {
        var h = CommandHarness()
        h.run("SET", "a", "1")
        h.run("SET", "b", "2")
        h.advance(milliseconds: 10_000)
        #expect(h.run("CLIENT", "NO-TOUCH", "maybe") == syntaxError)
        #expect(h.run("CLIENT", "NO-TOUCH", "ON") == ok)
        h.run("GET", "a")
        #expect(h.run("OBJECT", "IDLETIME", "a") == int(10))  // a NO-TOUCH client's GET leaves it
        #expect(h.run("TOUCH", "a", "nokey", "b") == int(2))
        #expect(h.run("OBJECT", "IDLETIME", "a") == int(0))  // TOUCH records the access
        h.advance(milliseconds: 3_000)
        #expect(h.run("CLIENT", "NO-TOUCH", "OFF") == ok)
        h.run("GET", "a")
        #expect(h.run("OBJECT", "IDLETIME", "a") == int(0))
        #expect(h.run("OBJECT", "IDLETIME", "b") == int(3))
    }

    @Test func bufferMemoryIsReportedBesideUsedMemoryAndNotEvictedFor() {
        var h = node(policy: "allkeys-lru", maxmemory: 20_000)
        h.node.runtime.clientBufferBytes = 300_000
        h.node.runtime.peerBufferBytes = 70_000
        for i in 0..<50 { #expect(h.run("SET", "key:\(i)", Self.value) == ok) }
        // Buffers far above maxmemory evict nothing: only keys count against the bound.
        #expect(h.node.store.evictor.evictedKeys == 0)
        let info = h.run("INFO", "memory")
        #expect(info.contains("used_memory:\(used(h))\r\n"))
        #expect(info.contains("mem_not_counted_for_evict:370000\r\n"))
        #expect(info.contains("mem_clients_normal:300000\r\n"))
        #expect(info.contains("mem_peer_buffers:70000\r\n"))
        #expect(info.contains("maxmemory_human:19.53K\r\n"))
        #expect(info.contains("maxmemory_policy:allkeys-lru\r\n"))
    }

    /// A server always runs as a cluster member; alone in its cluster, a node drops a
    /// tombstone at once, so eviction frees memory as on a plain node.
    @Test func aClusterOfOneEvictsAsANodeAlone() {
        var h = node(policy: "allkeys-lru")
        h.node.joinCluster(ClusterSettings(nodeID: NodeID(0xA1), address: "10.0.0.1:17379"))
        #expect(h.node.store.keyspace.purgesTombstonesAtOnce)
        for i in 0..<1_000 {
            #expect(h.run("SET", "key:\(i)", Self.value) == ok)
            h.advance(milliseconds: 10)
        }
        #expect(h.node.store.evictor.evictedKeys > 800 && h.node.keyspace.liveCount > 50)
        #expect(h.node.keyspace.tombstoneCount == 0 && used(h) <= 20_000 + 300)
        #expect(h.run("DEL", "key:999") == int(1) && h.node.keyspace.tombstoneCount == 0)
    }
}
