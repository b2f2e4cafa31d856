import Testing

@testable import HearsayCore

/// The keyspace table against a Dictionary model under random inserts, overwrites and
/// deletes: backward-shift deletion must never lose or duplicate an entry.
@Test func keyTable_randomOperations_matchDictionaryModel() {
    for seed in UInt64(1)...20 {
        var rng = SeededGenerator(seed: seed)
        let table = KeyTable()
        var model: [[UInt8]: Int] = [:]
        for step in 0..<3000 {
            let key = Array("k\(Int.random(in: 0..<400, using: &rng))".utf8)
            let hash = StableHash.hash(key)
            if Bool.random(using: &rng) || model[key] == nil {
                let box = key.withUnsafeBytes { EntryBox.make(key: $0, hash: hash, valueCapacity: 8) }
                withUnsafeBytes(of: step) { box.storeValue($0) }
                table.insert(box)
                model[key] = step
            } else {
                let slot = key.withUnsafeBytes { table.slot(of: $0, hash: hash) }
                #expect(slot != nil, "seed \(seed) step \(step): missing key before delete")
                if let slot { table.remove(at: slot) }
                model[key] = nil
            }
        }
        #expect(table.count == model.count, "seed \(seed)")
        for (key, step) in model {
            let slot = key.withUnsafeBytes { table.slot(of: $0, hash: StableHash.hash(key)) }
            let stored = slot.map { table.box(at: $0).withValue { $0.loadUnaligned(as: Int.self) } }
            #expect(stored == step, "seed \(seed): key \(String(decoding: key, as: UTF8.self))")
        }
        var seen = 0
        table.forEachBox { _ in seen += 1 }
        #expect(seen == model.count, "seed \(seed)")
    }
}

/// Keys whose hashes collide in the low bits still resolve by their bytes.
@Test func keyTable_collidingHashes_areDistinguishedByKeyBytes() {
    let table = KeyTable()
    let keys = (0..<50).map { Array("collide-\($0)".utf8) }
    for key in keys {
        table.insert(key.withUnsafeBytes { EntryBox.make(key: $0, hash: 42, valueCapacity: 0) })
    }
    #expect(table.count == 50)
    for key in keys {
        let slot = key.withUnsafeBytes { table.slot(of: $0, hash: 42) }
        #expect(slot.map { table.box(at: $0).withKey { Array($0) } } == key)
    }
    let missing = Array("absent".utf8)
    #expect(missing.withUnsafeBytes { table.slot(of: $0, hash: 42) } == nil)
}
