import Testing

@testable import HearsayCore

/// The coordinator's request table and the outbox's peer map against Swift's Dictionary, on
/// random operation sequences (inserts, updates, removals, lookups of absent keys, growth).
struct PendingTableTests {
    static func request(_ tag: Int) -> PendingRequest {
        PendingRequest(
            sink: .client(id: UInt64(tag), ticket: 0), kind: .forwarded, deadline: Instant(milliseconds: Int64(tag)),
            started: Instant(milliseconds: 0))
    }

    static func tag(_ request: PendingRequest?) -> Int? {
        guard case .client(let id, _)? = request?.sink else { return nil }
        return Int(id)
    }

    @Test func pendingTable_matchesADictionary_onRandomOperations() {
        let seed: UInt64 = 2026
        var rng = SeededGenerator(seed: seed)
        var table = PendingTable()
        var model: [UInt64: Int] = [:]
        var nextID: UInt64 = 1
        for step in 0..<200_000 {
            let id = nextID > 1 ? UInt64.random(in: 1..<(nextID + 5), using: &rng) : 1
            switch Int.random(in: 0..<10, using: &rng) {
            case 0..<4:
                table[nextID] = Self.request(step)
                model[nextID] = step
                nextID += 1
            case 4:
                table[id] = Self.request(step)
                model[id] = step
                nextID = max(nextID, id + 1)
            case 5..<8:
                #expect(Self.tag(table.removeValue(forKey: id)) == model.removeValue(forKey: id), "seed \(seed)")
            default:
                #expect(Self.tag(table[id]) == model[id], "seed \(seed) step \(step) id \(id)")
            }
            #expect(table.count == model.count)
        }
        let listed = Dictionary(uniqueKeysWithValues: table.map { ($0.0, Self.tag($0.1)!) })
        #expect(listed == model, "seed \(seed)")
    }

    @Test func peerMap_matchesADictionary_onRandomOperations() {
        var rng = SeededGenerator(seed: 7)
        var map = PeerMap<[Int]>()
        var model: [NodeID: [Int]] = [:]
        for step in 0..<20_000 {
            let peer = NodeID(UInt64.random(in: 1...6, using: &rng))
            switch Int.random(in: 0..<6, using: &rng) {
            case 0..<3:
                map[peer, default: []].append(step)
                model[peer, default: []].append(step)
            case 3:
                #expect(map.removeValue(forKey: peer) == model.removeValue(forKey: peer))
            case 4:
                #expect(map[peer] == model[peer])
            default:
                if step % 50 == 0 {
                    map.removeAll(keepingCapacity: true)
                    model.removeAll()
                }
            }
            #expect(map.keys == model.keys.sorted())
            #expect(map.isEmpty == model.isEmpty)
        }
    }

    /// A stored request gives back exactly its words (empty and binary ones included).
    @Test func storedArguments_giveBackTheirWords() {
        var rng = SeededGenerator(seed: 99)
        var spans: [Int] = []
        for _ in 0..<2_000 {
            let words: [[UInt8]] = (0..<Int.random(in: 2...6, using: &rng)).map { _ in
                (0..<Int.random(in: 0...300, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            }
            let stored = withArguments(words) { StoredArguments($0) }
            let back = stored.withArguments(spans: &spans) { a in (0..<a.count).map { a.bytes($0) } }
            #expect(back == words)
            #expect(stored.key == words[1])
        }
    }
}
