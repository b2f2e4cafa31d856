import Testing

@testable import HearsayCore

typealias AE = AntiEntropyFixture

@Suite("Anti-entropy exchange")
struct AntiEntropyExchangeTests {
    /// Every key's object on both replicas, which must be equal and equal the join of the
    /// originals.
    func expectConverged(
        _ a: inout Keyspace, _ b: inout Keyspace, originals: (Keyspace, Keyspace),
        keys: [[UInt8]], _ label: String
    ) {
        let differing = zip(a.leafDigests, b.leafDigests).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) leaf digests differ, reproduce with \(label)")
        var (oa, ob) = originals
        var mismatches = 0
        for key in keys {
            var join = AE.object(&oa, key) ?? StoredObject()
            join.merge(AE.object(&ob, key) ?? StoredObject())
            let onA = AE.object(&a, key) ?? StoredObject()
            let onB = AE.object(&b, key) ?? StoredObject()
            if onA != join || onB != join { mismatches += 1 }
        }
        #expect(mismatches == 0, "\(mismatches) keys not at the join, reproduce with \(label)")
    }

    @Test(arguments: [(1, 64), (4, 64), (16, 64), (4, 8), (2, 1)])
    func randomDivergence_afterOneExchangePerPartition_bothReplicasHoldTheJoin(partitions: Int, leaves: Int) {
        for seed in UInt64(1)...12 {
            let label = "seed=\(seed) partitions=\(partitions) leaves=\(leaves)"
            var rng = SeededGenerator(seed: seed)
            let common = Int.random(in: 0..<2_000, using: &rng)
            let divergent = Int.random(in: 0..<300, using: &rng)
            var (a, b, keys) = AE.divergedPair(
                seed: seed, partitions: partitions, leaves: leaves,
                common: common, divergent: divergent)
            let originals = (a, b)
            for p in 0..<partitions {
                let run = AE.exchange(&a, &b, partition: p, salt: rng.next(), label: "\(label) p=\(p)")
                #expect(
                    AE.isFinished(run.initiatorEnd) && AE.isFinished(run.responderEnd),
                    "both sides finish, \(label) p=\(p)")
                #expect(
                    run.initiator.stats.deferredDropped == 0 && run.responder?.stats.deferredDropped == 0,
                    "nothing dropped at the bounds, \(label) p=\(p)")
            }
            expectConverged(&a, &b, originals: originals, keys: keys, label)
        }
    }

    @Test func identicalReplicas_exchangeOnlyTheRoot_inTwoMessages() {
        var (a, b, _) = AE.divergedPair(seed: 7, partitions: 8, common: 3_000, divergent: 0)
        #expect(a.leafDigests == b.leafDigests)
        for p in 0..<8 {
            let run = AE.exchange(&a, &b, partition: p, salt: 99 &+ UInt64(p), label: "identical p=\(p)")
            #expect(run.messages.count == 2, "opening and final reply, p=\(p)")
            #expect(run.messages.allSatisfy { $0.nodes.isEmpty && $0.keyLists.isEmpty && $0.objects.isEmpty })
            #expect(run.messages.last?.isFinal == true)
            #expect(run.bytes <= 40, "roots only: \(run.bytes) bytes, p=\(p)")
            #expect(AE.isFinished(run.initiatorEnd) && AE.isFinished(run.responderEnd))
        }
    }

    @Test func emptyReplica_receivesAWholePartition_acrossManyBoundedTurns() {
        var (a, _, keys) = AE.divergedPair(seed: 3, partitions: 1, common: 5_000, divergent: 0)
        var b = AE.keyspace(partitions: 1)
        let originals = (a, b)
        // Either direction: the empty side as responder, then a fresh pair as initiator.
        let run = AE.exchange(&a, &b, partition: 0, salt: 5, label: "empty responder")
        #expect(run.messages.count > 10, "5,000 keys need many 16-object turns: \(run.messages.count)")
        #expect(run.messages.contains { $0.hasMore })
        expectConverged(&a, &b, originals: originals, keys: keys, "empty responder")
        var c = AE.keyspace(partitions: 1)
        var d = a
        let back = AE.exchange(&c, &d, partition: 0, salt: 6, label: "empty initiator")
        #expect(AE.isFinished(back.initiatorEnd))
        #expect(c.leafDigests == a.leafDigests, "empty initiator pulls everything")
    }

    @Test func lostMessage_waitingSideTimesOutCleanly_andTheNextExchangeConverges() {
        for lost in 0..<8 {
            let label = "lost=\(lost)"
            var (a, b, keys) = AE.divergedPair(seed: 11, partitions: 1, common: 800, divergent: 120)
            let originals = (a, b)
            let run = AE.exchange(&a, &b, partition: 0, salt: 17, label: label) { $0 == lost }
            #expect(run.messages.count == lost + 1, "the run stops at the lost message, \(label)")
            var initiator = run.initiator
            let early = initiator.timeout(now: initiator.deadline.adding(milliseconds: -1))
            #expect(early.isEmpty, "no timeout before the deadline, \(label)")
            if initiator.state == .open {
                let late = initiator.timeout(now: initiator.deadline)
                #expect(late == [.aborted(.timedOut, initiator.stats)], "\(label)")
                #expect(initiator.state == .aborted(.timedOut))
                let again = initiator.timeout(now: initiator.deadline.adding(milliseconds: 1))
                #expect(again.isEmpty, "aborts once, \(label)")
            }
            if var responder = run.responder, responder.state == .open {
                #expect(responder.timeout(now: responder.deadline).count == 1, "responder gives up too, \(label)")
            }
            let retry = AE.exchange(&a, &b, partition: 0, salt: 18, label: "\(label) retry")
            #expect(AE.isFinished(retry.initiatorEnd))
            expectConverged(&a, &b, originals: originals, keys: keys, label)
        }
    }

    @Test func staleAndDuplicatedMessages_areIgnored_andCounted() {
        var (a, b, _) = AE.divergedPair(seed: 21, partitions: 1, common: 300, divergent: 40)
        var initiator = ExchangeSession(
            initiating: 0, id: 9, salt: 1, store: a, settings: .simulation, now: AE.now.monotonic)
        guard case .send(let opening)? = initiator.start(store: a, now: AE.now.monotonic).first else {
            Issue.record("no opening")
            return
        }
        var responder = ExchangeSession(respondingTo: opening, settings: .simulation, now: AE.now.monotonic)!
        let first = responder.receive(opening, store: &b, now: AE.now)
        #expect(first.count == 1)
        #expect(responder.receive(opening, store: &b, now: AE.now).isEmpty, "duplicate opening")
        #expect(responder.stats.messagesIgnored == 1)
        var wrongSession = opening
        wrongSession.session = 10
        #expect(initiator.receive(wrongSession, store: &a, now: AE.now).isEmpty, "own direction, other session")
        #expect(initiator.stats.messagesIgnored == 1)
        #expect(
            ExchangeSession(
                respondingTo: ExchangeMessage(session: 1, sequence: 2, fromInitiator: true),
                now: AE.now.monotonic) == nil, "only an opening creates a responder")
    }

    @Test func protocolViolations_abortTheSession() {
        var (a, b, _) = AE.divergedPair(seed: 23, partitions: 2, common: 300, divergent: 40)
        var initiator = ExchangeSession(
            initiating: 1, id: 4, salt: 2, store: a, settings: .simulation, now: AE.now.monotonic)
        guard case .send(let opening)? = initiator.start(store: a, now: AE.now.monotonic).first else {
            Issue.record("no opening")
            return
        }
        var badLayout = opening
        badLayout.opening!.leafBits = 3
        var r1 = ExchangeSession(respondingTo: badLayout, settings: .simulation, now: AE.now.monotonic)!
        #expect(r1.receive(badLayout, store: &b, now: AE.now).first == .aborted(.layoutMismatch, r1.stats))

        var badDepth = ExchangeMessage(session: 4, sequence: 1, fromInitiator: false)
        badDepth.nodes = [
            .init(
                parent: .init(depth: 1, index: 0), childDepth: 3,
                fingerprints: [0, 0, 0, 0], counts: [])
        ]
        let d = initiator.receive(badDepth, store: &a, now: AE.now)
        guard case .aborted(.protocolViolation, _)? = d.first else {
            Issue.record("expected a protocol violation, got \(d)")
            return
        }
        #expect(initiator.state != .open)

        var foreignKey = opening
        let outside = (0..<100).map { Array("k\($0)".utf8) }.first { b.partition(ofHash: StableHash.hash($0)) != 1 }!
        foreignKey.objects = [.init(key: outside, encodedObject: StoredObject().encoded)]
        var r2 = ExchangeSession(respondingTo: foreignKey, settings: .simulation, now: AE.now.monotonic)!
        let refused = r2.receive(foreignKey, store: &b, now: AE.now).first
        #expect(refused == .aborted(.protocolViolation("key outside the partition"), r2.stats))
    }
}
