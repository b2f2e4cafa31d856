import Testing

@testable import HearsayCore

/// HS.FAULT's rule store and held-frame queue, and the command's refusals on one node.
struct FaultInjectorTests {
    static let peer = NodeID(0xB2)
    static let other = NodeID(0xC3)
    static let t0 = Instant(milliseconds: 1_000)

    static func frame(_ byte: UInt8, bytes: Int = 1) -> FaultInjector.Held.Payload {
        .incoming(Frame(type: .ping, payload: [UInt8](repeating: byte, count: bytes)))
    }

    static func tags(_ held: [FaultInjector.Held]) -> [UInt8] {
        held.map {
            if case .incoming(let frame) = $0.payload { return frame.payload[0] }
            return 0
        }
    }

    @Test func rules_setPerDirection_shouldReplaceOnlyTheNamedDirection() {
        var faults = FaultInjector()
        #expect(!faults.isActive)
        let setBoth = faults.set(.drop, peer: Self.peer, direction: .both)
        let setIn = faults.set(.delay(milliseconds: 50), peer: Self.peer, direction: .incoming)
        #expect(setBoth && setIn)
        #expect(faults.action(for: Self.peer, incoming: true) == .delay(milliseconds: 50))
        #expect(faults.action(for: Self.peer, incoming: false) == .drop)
        #expect(faults.action(for: Self.other, incoming: true) == nil)
        let clearedOther = faults.clear(peer: Self.other)
        let clearedPeer = faults.clear(peer: Self.peer)
        #expect(clearedOther == 0 && clearedPeer == 2)
        #expect(!faults.isActive)
    }

    @Test func rules_pastTheBound_shouldBeRefusedForNewPeersOnly() {
        var faults = FaultInjector()
        for i in 1...UInt64(FaultInjector.maxPeers) {
            let accepted = faults.set(.drop, peer: NodeID(i), direction: .both)
            #expect(accepted)
        }
        let newPeer = faults.set(.drop, peer: NodeID(1_000), direction: .both)
        let knownPeer = faults.set(.delay(milliseconds: 5), peer: NodeID(1), direction: .outgoing)
        #expect(!newPeer && knownPeer)
        let cleared = faults.clear(peer: nil)
        #expect(cleared == 2 * FaultInjector.maxPeers)
    }

    @Test func held_shouldReleaseInOrderWhenDue_evenWhenTheDelayShrinks() {
        var faults = FaultInjector()
        _ = faults.set(.delay(milliseconds: 100), peer: Self.peer, direction: .incoming)
        let first = faults.hold(Self.frame(1), peer: Self.peer, incoming: true, milliseconds: 100, now: Self.t0)
        #expect(first == Self.t0.adding(milliseconds: 100))
        // A shorter delay must not overtake the frame held before it (a stream stays in order).
        let second = faults.hold(Self.frame(2), peer: Self.peer, incoming: true, milliseconds: 10, now: Self.t0)
        #expect(second == nil)  // the armed timer already covers it
        let third = faults.hold(Self.frame(3), peer: Self.other, incoming: true, milliseconds: 10, now: Self.t0)
        #expect(third == Self.t0.adding(milliseconds: 10))  // earlier than the armed one
        #expect(faults.heldCount == 3)
        var (due, timer) = faults.releaseDue(now: Self.t0.adding(milliseconds: 10))
        #expect(Self.tags(due) == [3])
        #expect(timer == Self.t0.adding(milliseconds: 100))
        (due, timer) = faults.releaseDue(now: Self.t0.adding(milliseconds: 100))
        #expect(Self.tags(due) == [1, 2])
        #expect(timer == nil && faults.heldCount == 0 && faults.heldBytes == 0)
    }

    @Test func held_pastTheFrameBound_shouldDropTheOldestAndCountIt() {
        var faults = FaultInjector()
        _ = faults.set(.delay(milliseconds: 1_000), peer: Self.peer, direction: .incoming)
        let extra = 25
        for i in 0..<(FaultInjector.maxHeldFrames + extra) {
            _ = faults.hold(
                Self.frame(UInt8(i % 251)), peer: Self.peer, incoming: true, milliseconds: 1_000, now: Self.t0)
        }
        #expect(faults.heldCount == FaultInjector.maxHeldFrames)
        #expect(faults.heldDropped == extra)
        #expect(faults.rules[Self.peer]?.droppedIncoming == extra)
        #expect(faults.rules[Self.peer]?.delayedIncoming == FaultInjector.maxHeldFrames + extra)
        #expect(faults.heldCount(for: Self.peer, incoming: true) == FaultInjector.maxHeldFrames)
        let (due, _) = faults.releaseDue(now: Self.t0.adding(milliseconds: 1_000))
        #expect(due.count == FaultInjector.maxHeldFrames)
        #expect(Self.tags(due).first == UInt8(extra % 251))
    }

    @Test func held_pastTheByteBound_shouldDropTheOldest() {
        var faults = FaultInjector()
        let size = 1 << 20
        for i in 0..<70 {
            _ = faults.hold(
                Self.frame(UInt8(i), bytes: size), peer: Self.peer, incoming: true, milliseconds: 5, now: Self.t0)
        }
        #expect(faults.heldBytes <= FaultInjector.maxHeldBytes)
        #expect(faults.heldCount == FaultInjector.maxHeldBytes / size)
        #expect(faults.heldDropped == 70 - FaultInjector.maxHeldBytes / size)
    }

    @Test func sender_ofEveryPeerMessageKind_shouldBeReadFromThePayload() {
        let id = NodeID(0x0102_0304_0506_0708)
        var membership = ByteWriter(capacity: 16)
        membership.u8(1)
        membership.u8(1)
        membership.u64(id.rawValue)
        #expect(FaultInjector.sender(of: Frame(type: .ping, payload: membership.bytes)) == id)
        let batch = ReplicationMessages.encodeBatch(sender: id, [ReplicationMessages.Ack]()) { _, _ in }
        #expect(FaultInjector.sender(of: Frame(type: .replicaWriteAck, payload: batch)) == id)
        var exchange = ByteWriter(capacity: 16)
        exchange.u64(id.rawValue)
        #expect(FaultInjector.sender(of: Frame(type: .merkleRequest, payload: exchange.bytes)) == id)
        #expect(FaultInjector.sender(of: Frame(type: .ping, payload: [1, 1, 2])) == nil)
    }

    @Test func command_withoutTheFlag_shouldBeRefused() {
        let refusal = err("ERR fault injection is disabled (start the node with --enable-fault-injection)")
        var standalone = CommandHarness()
        #expect(standalone.run("HS.FAULT") == refusal)
        var clustered = CommandHarness.clustered(faults: false)
        #expect(clustered.run("HS.FAULT") == refusal)
        #expect(clustered.run("HS.FAULT", "DROP", "b2") == refusal)
        #expect(clustered.run("HS.FAULT", "CLEAR") == refusal)
    }

    @Test func command_withBadArguments_shouldAnswerErrors() {
        var h = CommandHarness.clustered(faults: true)
        #expect(h.run("HS.FAULT") == emptyArray)
        #expect(h.run("HS.FAULT", "DROP", "b2") == err("ERR unknown node b2"))
        #expect(h.run("HS.FAULT", "DROP", "a1") == err("ERR a node cannot fault itself"))
        #expect(h.run("HS.FAULT", "DROP", "zz") == err("ERR invalid node id"))
        #expect(h.run("HS.FAULT", "DROP") == syntaxError)
        #expect(h.run("HS.FAULT", "DROP", "b2", "SIDEWAYS") == syntaxError)
        #expect(h.run("HS.FAULT", "DROP", "b2", "IN", "OUT") == syntaxError)
        #expect(h.run("HS.FAULT", "DELAY", "b2") == syntaxError)
        #expect(h.run("HS.FAULT", "DELAY", "b2", "0") == err("ERR delay must be 1 to 3600000 milliseconds"))
        #expect(h.run("HS.FAULT", "DELAY", "b2", "x") == err("ERR delay must be 1 to 3600000 milliseconds"))
        #expect(h.run("HS.FAULT", "CLEAR", "zz") == err("ERR invalid node id"))
        #expect(h.run("HS.FAULT", "CLEAR", "b2", "c3") == syntaxError)
        #expect(h.run("HS.FAULT", "CLEAR") == int(0))
        #expect(
            h.run("HS.FAULT", "BREAK", "b2")
                == err("ERR unknown HS.FAULT subcommand (DROP, DELAY, CLEAR, or none to list)"))
    }
}
