import Testing

@testable import HearsayCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Measures what one round of exchanges (every partition once) sends between two replicas
/// that hold `HEARSAY_MEASURE_KEYS` keys (1,000,000 by default) of which 1,000 differ.
/// Off by default; run in release:
///     HEARSAY_MEASURE=1 swift test -c release --filter AntiEntropyMeasure
@Suite("AntiEntropyMeasure", .enabled(if: getenv("HEARSAY_MEASURE").map { String(cString: $0) } == "1"))
struct AntiEntropyMeasureTests {
    @Test func millionKeys_thousandDiffer_bytesSentTrackTheDifference() {
        let total = getenv("HEARSAY_MEASURE_KEYS").flatMap { Int(String(cString: $0)) } ?? 1_000_000
        let differing = 1_000
        let seed: UInt64 = 0x3E_A5
        var rng = SeededGenerator(seed: seed)
        var a = AE.keyspace(partitions: 256)
        var b = AE.keyspace(partitions: 256)
        var chosen = Set<Int>()
        while chosen.count < differing { chosen.insert(Int.random(in: 0..<total, using: &rng)) }
        let ts = HybridTimestamp(physicalMilliseconds: AE.now.wall.milliseconds, logical: 0)
        let value = Array("value-of-16-byte".utf8)
        for i in 0..<total {
            let key = Array("key:\(i)".utf8)
            let dot = Dot(node: AE.nodeC, counter: UInt64(i + 1))
            key.withUnsafeBytes { raw in
                value.withUnsafeBytes { v in
                    a.putString(KeyRef(raw), existing: nil, value: v, expiresAt: 0, dot: dot, timestamp: ts)
                    // A quarter of the differing keys never reached b.
                    if !(chosen.contains(i) && i % 4 == 0) {
                        b.putString(KeyRef(raw), existing: nil, value: v, expiresAt: 0, dot: dot, timestamp: ts)
                    }
                }
            }
        }
        for i in chosen {
            let key = Array("key:\(i)".utf8)
            let later = HybridTimestamp(physicalMilliseconds: AE.now.wall.milliseconds + 5, logical: 0)
            switch i % 4 {
            case 0: break
            case 1:
                AE.write(&b, key) { $0.set(Array("newer-value-16by".utf8), by: AE.nodeB, at: later, now: AE.now.wall) }
            case 2:
                AE.write(&a, key) { $0.set(Array("concurrent-a-val".utf8), by: AE.nodeA, at: later, now: AE.now.wall) }
                AE.write(&b, key) { $0.set(Array("concurrent-b-val".utf8), by: AE.nodeB, at: later, now: AE.now.wall) }
            default: AE.write(&a, key) { $0.delete(now: AE.now.wall) }
            }
        }
        // The objects that must travel: each side's version of a key the other lacks or holds differently.
        var objectBytes = 0
        for i in chosen {
            let key = Array("key:\(i)".utf8)
            let onA = AE.object(&a, key)
            let onB = AE.object(&b, key)
            if let onA, onA != onB { objectBytes += key.count + 1 + onA.encoded.count }
            if let onB, onB != onA { objectBytes += key.count + 1 + onB.encoded.count }
        }
        var bytes = 0
        var tree = 0
        var keyLists = 0
        var objectsSent = 0
        var messages = 0
        for p in 0..<256 {
            let run = AE.exchange(&a, &b, partition: p, salt: rng.next(), settings: .lan, label: "seed=\(seed) p=\(p)")
            #expect(AE.isFinished(run.initiatorEnd), "partition \(p) finished, seed=\(seed)")
            bytes += run.bytes
            messages += run.messages.count
            for side in [run.initiator.stats, run.responder?.stats ?? ExchangeStats()] {
                tree += side.treeBytesSent
                keyLists += side.keyListBytesSent
                objectsSent += side.objectBytesSent
            }
        }
        let differingLeaves = zip(a.leafDigests, b.leafDigests).filter { $0 != $1 }.count
        #expect(differingLeaves == 0, "converged, seed=\(seed)")
        let everyDigest = total * 16
        print(
            """
            anti-entropy measure: \(total) keys, \(differing) differ, 256 partitions x 64 leaves
              bytes sent (all messages, both ways): \(bytes) in \(messages) messages
              tree levels walked (children sections): \(tree)
              key lists: \(keyLists)
              objects sent (key + encoded object): \(objectsSent); differing objects' encoded size: \(objectBytes)
              bytes - tree = \(bytes - tree) = \(Double(bytes - tree) / Double(objectBytes))x the differing objects
              bytes / differing objects = \(Double(bytes) / Double(objectBytes))x
              every key's hash+digest instead: \(everyDigest) bytes (\(everyDigest / max(1, bytes))x more)
            """)
        #expect(bytes - tree <= 3 * objectBytes, "target: at most 3x the differing objects plus the tree walked")
    }
}
