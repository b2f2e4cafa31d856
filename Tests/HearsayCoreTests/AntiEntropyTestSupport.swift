import Testing

@testable import HearsayCore

/// Two replicas' keyspaces, built by writing `StoredObject`s, and a driver that runs one
/// exchange between them through encoded bytes, checking the protocol's bounds on the way.
enum AntiEntropyFixture {
    static let now = Now(milliseconds: 1_700_000_000_000)
    static let nodeA = NodeID(0xA1)
    static let nodeB = NodeID(0xB2)
    static let nodeC = NodeID(0xC3)

    static func keyspace(partitions: Int, leaves: Int = 64) -> Keyspace {
        var ks = Keyspace(partitionCount: partitions, leavesPerPartition: leaves)
        // A cluster keeps tombstones until causal stability; so must the replicas here.
        ks.purgesTombstonesAtOnce = false
        return ks
    }

    static func object(_ ks: inout Keyspace, _ key: [UInt8]) -> StoredObject? {
        key.withUnsafeBytes { ks.entry(KeyRef($0), now: now).map(CompactObject.materialize) }
    }

    /// Applies a write to a keyspace's copy of `key`, as a coordinator would.
    static func write(_ ks: inout Keyspace, _ key: [UInt8], _ change: (inout StoredObject) -> Void) {
        key.withUnsafeBytes { raw in
            let ref = KeyRef(raw)
            let entry = ks.entry(ref, now: now)
            var object = entry.map(CompactObject.materialize) ?? StoredObject()
            change(&object)
            ks.putObject(ref, existing: entry, object: object, now: now)
        }
    }

    static func stamp(_ rng: inout SeededGenerator) -> HybridTimestamp {
        HybridTimestamp(
            physicalMilliseconds: now.wall.milliseconds + Int64.random(in: 0..<1_000, using: &rng), logical: 0)
    }

    /// One write of a random kind by `node`: a string, a counter, a set, a delete.
    static func randomWrite(_ object: inout StoredObject, key: Int, by node: NodeID, _ rng: inout SeededGenerator) {
        let ts = stamp(&rng)
        switch key % 4 {
        case 0, 1:
            if Int.random(in: 0..<6, using: &rng) == 0 {
                object.delete(now: now.wall)
            } else {
                let later = now.wall.adding(milliseconds: 3_600_000)
                let expiry: StoredObject.SetExpiry = Bool.random(using: &rng) ? .never : .at(later)
                object.set(Array("v\(rng.next() % 1_000)".utf8), expiry: expiry, by: node, at: ts, now: now.wall)
            }
        case 2:
            _ = try? object.increment(by: Int64.random(in: -5...5, using: &rng), by: node, at: ts, now: now.wall)
        default:
            _ = try? object.addMembers([Array("m\(rng.next() % 5)".utf8)], by: node, at: ts, now: now.wall)
        }
    }

    /// Two replicas that share `common` keys and then diverge in random ways: keys only one
    /// holds, newer versions on one side, concurrent writes (siblings), tombstones.
    static func divergedPair(
        seed: UInt64, partitions: Int, leaves: Int = 64, common: Int,
        divergent: Int
    ) -> (Keyspace, Keyspace, keys: [[UInt8]]) {
        var rng = SeededGenerator(seed: seed)
        var a = keyspace(partitions: partitions, leaves: leaves)
        var b = keyspace(partitions: partitions, leaves: leaves)
        var keys: [[UInt8]] = []
        for i in 0..<common {
            let key = Array("key:\(seed):\(i)".utf8)
            keys.append(key)
            var shared = StoredObject()
            randomWrite(&shared, key: i, by: nodeC, &rng)
            write(&a, key) { $0 = shared }
            write(&b, key) { $0 = shared }
        }
        for _ in 0..<divergent {
            let which = Int.random(in: 0..<(common + divergent), using: &rng)
            let key = which < common ? keys[which] : Array("new:\(seed):\(which)".utf8)
            if which >= common { keys.append(key) }
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: write(&a, key) { randomWrite(&$0, key: which, by: nodeA, &rng) }
            case 1: write(&b, key) { randomWrite(&$0, key: which, by: nodeB, &rng) }
            default:
                write(&a, key) { randomWrite(&$0, key: which, by: nodeA, &rng) }
                write(&b, key) { randomWrite(&$0, key: which, by: nodeB, &rng) }
            }
        }
        return (a, b, keys)
    }
}

/// What one exchange did: every message in order, each side's last directive and stats.
struct ExchangeTranscript {
    var messages: [ExchangeMessage] = []
    var initiatorEnd: ExchangeDirective?
    var responderEnd: ExchangeDirective?
    var initiator: ExchangeSession
    var responder: ExchangeSession?

    var bytes: Int { messages.reduce(0) { $0 + $1.encodedByteCount } }
}

extension AntiEntropyFixture {
    /// Runs one exchange of `partition` from `a` (initiator) to `b`, every message through its
    /// encoding. `drop(i)` loses the i-th message. Checks codec, sizes and bounds as it goes.
    static func exchange<A: AntiEntropyStore, B: AntiEntropyStore>(
        _ a: inout A, _ b: inout B, partition: Int, salt: UInt64, settings: ExchangeSettings = .simulation,
        label: String, drop: (Int) -> Bool = { _ in false }
    ) -> ExchangeTranscript {
        var run = ExchangeTranscript(
            initiator: ExchangeSession(
                initiating: partition, id: salt % 1_000, salt: salt,
                store: a, settings: settings, now: now.monotonic))
        var directives = run.initiator.start(store: a, now: now.monotonic)
        for turn in 0..<100_000 {
            guard case .send(let sent)? = directives.first else { break }
            for directive in directives.dropFirst() {
                if sent.fromInitiator { run.initiatorEnd = directive } else { run.responderEnd = directive }
            }
            run.messages.append(sent)
            let bytes = sent.encoded
            #expect(bytes.count == sent.encodedByteCount, "size formula, \(label) turn \(turn)")
            #expect(
                sent.encodedByteCount <= settings.maxMessageBytes || sent.objects.count == 1,
                "message bound, \(label) turn \(turn)")
            #expect(sent.objects.count <= settings.maxObjectsPerMessage, "object bound, \(label)")
            // Its sender finishes unconfirmed, so a final message must carry no objects.
            #expect(!sent.isFinal || sent.objects.isEmpty, "objects in a final message, \(label) turn \(turn)")
            guard let decoded = try? ExchangeMessage(decoding: bytes), decoded == sent else {
                Issue.record("message did not round-trip, \(label) turn \(turn)")
                break
            }
            if drop(turn) { break }
            if decoded.fromInitiator {
                if run.responder == nil {
                    run.responder = ExchangeSession(respondingTo: decoded, settings: settings, now: now.monotonic)
                }
                directives = run.responder!.receive(decoded, store: &b, now: now)
            } else {
                directives = run.initiator.receive(decoded, store: &a, now: now)
            }
            if case .send? = directives.first { continue }
            if let end = directives.first {
                if decoded.fromInitiator { run.responderEnd = end } else { run.initiatorEnd = end }
            }
            break
        }
        return run
    }

    static func isFinished(_ directive: ExchangeDirective?) -> Bool {
        if case .finished? = directive { return true }
        return false
    }
}
