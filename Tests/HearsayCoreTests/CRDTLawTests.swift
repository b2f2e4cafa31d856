import Testing

@testable import HearsayCore

// Join-semilattice laws and convergence on random histories. Each test runs >= 10,000 law
// cases (random triples of states reached by random operations, merges and delta deliveries);
// a failure names the seed that reproduces it.

@Test func multiValueRegister_randomHistories_mergeIsAJoinAndDeltasConverge() {
    let cases = Simulation.checkLaws("MultiValueRegister", seed: 0x4D56_5200, runs: 500, steps: 24, casesPerRun: 20) {
        (register: inout MultiValueRegister, site, rng) -> MultiValueRegister? in
        let lifetime = Int64.random(in: 1...20, using: &rng)
        let expiry: WallTime? = Bool.random(using: &rng) ? nil : site.now.adding(milliseconds: lifetime)
        return register.write(
            value: smallBytes(&rng), context: register.context, by: site.node, at: site.timestamp, expiresAt: expiry)
    }
    #expect(cases >= 10_000)
}

@Test func orSet_randomHistories_mergeIsAJoinAndDeltasConverge() {
    let cases = Simulation.checkLaws("ORSet", seed: 0x4F52_5300, runs: 500, steps: 24, casesPerRun: 20) {
        (set: inout ORSet, site, rng) -> ORSet? in
        let element = smallBytes(&rng)
        return Bool.random(using: &rng)
            ? set.add(element, by: site.node, at: site.timestamp) : set.remove(element)
    }
    #expect(cases >= 10_000)
}

@Test func orMap_randomHistories_mergeIsAJoinAndDeltasConverge() {
    let cases = Simulation.checkLaws("ORMap", seed: 0x4F52_4D00, runs: 500, steps: 24, casesPerRun: 20) {
        (map: inout ORMap, site, rng) -> ORMap? in
        let field = smallBytes(&rng, choices: 3)
        return Int.random(in: 0..<3, using: &rng) > 0
            ? map.set(field, to: smallBytes(&rng), by: site.node, at: site.timestamp) : map.remove(field)
    }
    #expect(cases >= 10_000)
}

@Test func pnCounter_randomHistories_mergeIsAJoinAndDeltasConverge() {
    let cases = Simulation.checkLaws("PNCounter", seed: 0x504E_4300, runs: 500, steps: 24, casesPerRun: 20) {
        (counter: inout PNCounter, site, rng) -> PNCounter? in
        switch Int.random(in: 0..<6, using: &rng) {
        case 0: return counter.reset()
        case 1: return try? counter.increment(byFloat: 0.5, by: site.node, at: site.timestamp, now: site.now)
        default:
            return try? counter.increment(
                by: Int64.random(in: -10...10, using: &rng), by: site.node, at: site.timestamp, now: site.now)
        }
    }
    #expect(cases >= 10_000)
}

@Test func storedObject_randomHistoriesOfAllTypes_mergeIsAJoinAndDeltasConverge() {
    let cases = Simulation.checkLaws("StoredObject", seed: 0x5354_4F00, runs: 500, steps: 24, casesPerRun: 20) {
        (object: inout StoredObject, site, rng) -> StoredObject? in
        randomObjectOperation(&object, site, &rng)
    }
    #expect(cases >= 10_000)
}

/// One random command on a stored object, as a coordinator would apply it; nil when refused.
func randomObjectOperation(
    _ object: inout StoredObject, _ site: OperationSite, _ rng: inout SeededGenerator
) -> StoredObject? {
    let (node, ts, now) = (site.node, site.timestamp, site.now)
    let soon = now.adding(milliseconds: Int64.random(in: 1...15, using: &rng))
    switch Int.random(in: 0..<14, using: &rng) {
    case 0, 1: return object.set(smallBytes(&rng), by: node, at: ts, now: now)
    case 2: return object.set(smallBytes(&rng), expiry: .at(soon), by: node, at: ts, now: now)
    case 3: return object.set(smallBytes(&rng), expiry: .keep, by: node, at: ts, now: now)
    case 4: return object.delete(now: now)
    case 5: return object.expire(at: Bool.random(using: &rng) ? soon : nil, by: node, at: ts, now: now)
    case 6, 7: return try? object.increment(by: Int64.random(in: -9...9, using: &rng), by: node, at: ts, now: now)
    case 8: return try? object.increment(byFloat: 0.25, by: node, at: ts, now: now)
    case 9: return try? object.addMembers([smallBytes(&rng), smallBytes(&rng)], by: node, at: ts, now: now)
    case 10: return try? object.removeMembers([smallBytes(&rng)], now: now)
    case 11:
        let pair = (smallBytes(&rng, choices: 3), smallBytes(&rng))
        return try? object.setFields([pair], by: node, at: ts, now: now)
    case 12: return try? object.removeFields([smallBytes(&rng, choices: 3)], now: now)
    default: return object.purgeExpired(at: now)
    }
}

@Test func storedObject_randomHistories_aWriteIsOnlyLostToAnOperationThatSawItOrToExpiry() {
    var failures = 0
    for r in 0..<300 where failures == 0 {
        let seed = 0x4E4C_0000 &+ UInt64(r)
        let run: SimulatedRun<StoredObject> = Simulation.run(seed: seed, steps: 30) { object, site, rng in
            randomObjectOperation(&object, site, &rng)
        }
        let final = run.joinOfReplicas
        let survivors = Set(final.allStamps().map(\.1.dot))
        let end = Simulation.start.adding(milliseconds: 10_000)
        for (index, delta) in run.deltas.enumerated() {
            for (_, stamp) in delta.allStamps() where !survivors.contains(stamp.dot) {
                let removedBySeer = run.deltas[(index + 1)...].contains { later in
                    later.context.contains(stamp.dot) && !later.allStamps().contains { $0.1.dot == stamp.dot }
                }
                let expired = !stamp.isLive(at: end)
                if !removedBySeer && !expired { failures += 1 }
                #expect(removedBySeer || expired, "write \(stamp) lost, reproduce with seed=\(seed)")
            }
        }
        #expect(final.context.versionVector.entries.count <= Simulation.nodes.count, "seed=\(seed)")
    }
    #expect(failures == 0)
}
