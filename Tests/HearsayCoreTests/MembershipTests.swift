import Testing

@testable import HearsayCore

/// Direct tests of the membership instance: call `handle`, pattern-match effects.
struct MembershipTests {
    let a = NodeID(1)
    let b = NodeID(2)
    let c = NodeID(3)
    let t0 = Instant(milliseconds: 1_000_000)

    func started(_ id: NodeID, seeds: [String] = []) -> (Membership, [MembershipEffect]) {
        var m = Membership(id: id, address: "n\(id.rawValue):1", settings: .simulation, seed: 7)
        var effects: [MembershipEffect] = []
        m.handle(.start(seeds: seeds), now: t0, into: &effects)
        return (m, effects)
    }

    func alive(_ id: NodeID, incarnation: UInt64 = 0) -> Member {
        Member(id: id, address: "n\(id.rawValue):1", incarnation: incarnation, status: .alive)
    }

    func sends(_ effects: [MembershipEffect]) -> [(MembershipMessage, String)] {
        effects.compactMap { if case .send(let m, let to) = $0 { return (m, to) } else { return nil } }
    }

    func timers(_ effects: [MembershipEffect]) -> [(MembershipTimer, Instant)] {
        effects.compactMap { if case .setTimer(let t, let at) = $0 { return (t, at) } else { return nil } }
    }

    @Test func onStart_withoutSeeds_shouldScheduleFirstPeriodAndReportItself() {
        let (m, effects) = started(a)
        #expect(timers(effects).contains { $0.0 == .protocolPeriod })
        #expect(m.isJoined)
        #expect(m.view == [alive(a)])
    }

    @Test func onStart_withSeed_shouldSendJoinPushPull() {
        let (m, effects) = started(a, seeds: ["seed:1", "n1:1"])
        let sent = sends(effects)
        #expect(sent.count == 1)
        #expect(sent.first?.1 == "seed:1")
        if case .pushPull(let isJoin, let isReply, let state)? = sent.first?.0.body {
            #expect(isJoin && !isReply && state.map(\.member) == [alive(a)])
        } else {
            Issue.record("expected a push-pull, got \(sent)")
        }
        #expect(!m.isJoined)
    }

    @Test func onPing_fromUnknownNode_shouldAddMemberAndAck() {
        var (m, effects) = started(a)
        effects.removeAll()
        let ping = MembershipMessage(sender: alive(b), body: .ping(sequence: 9, target: a))
        m.handle(.received(ping), now: t0, into: &effects)
        #expect(m.member(b) == alive(b))
        #expect(sends(effects).contains { $0.0.body == .ack(sequence: 9) && $0.1 == "n2:1" })
        #expect(effects.contains { if case .changed(let ch) = $0 { ch.id == b && ch.previous == nil } else { false } })
    }

    @Test func onPing_forAnotherTarget_shouldNotAck() {
        var (m, effects) = started(a)
        effects.removeAll()
        m.handle(
            .received(MembershipMessage(sender: alive(b), body: .ping(sequence: 9, target: c))),
            now: t0, into: &effects)
        #expect(sends(effects).isEmpty)
    }

    @Test func onGossip_myselfSuspectAtSameIncarnation_shouldIncrementIncarnation() {
        var (m, effects) = started(a)
        var suspectMe = alive(a)
        suspectMe.status = .suspect
        let message = MembershipMessage(
            sender: alive(b), body: .ack(sequence: 1),
            gossip: [MemberUpdate(suspectMe, accuser: b)])
        m.handle(.received(message), now: t0, into: &effects)
        #expect(m.myself.incarnation == 1)
        #expect(m.myself.status == .alive)
    }

    @Test func onProtocolPeriod_withMember_shouldPingItAndAlwaysScheduleNextPeriod() {
        var (m, effects) = started(a)
        m.handle(.received(MembershipMessage(sender: alive(b), body: .ack(sequence: 0))), now: t0, into: &effects)
        effects.removeAll()
        let tick = t0.adding(milliseconds: 1_000)
        m.handle(.timerFired(.protocolPeriod), now: tick, into: &effects)
        #expect(sends(effects).contains { if case .ping(_, let target) = $0.0.body { target == b } else { false } })
        #expect(timers(effects).contains { $0.0 == .protocolPeriod && $0.1 > tick })
    }

    @Test func onProbeFailure_directAndIndirect_shouldSuspectThenMarkDown() {
        var (m, effects) = started(a)
        for id in [b, c] {
            m.handle(.received(MembershipMessage(sender: alive(id), body: .ack(sequence: 0))), now: t0, into: &effects)
        }
        var now = t0
        var downSeen = false
        // Never answer: within a bounded number of periods both get suspected, then down.
        for _ in 0..<60 {
            now = now.adding(milliseconds: 1_000)
            effects.removeAll()
            m.handle(.timerFired(.protocolPeriod), now: now, into: &effects)
            for case .setTimer(.probeTimeout(let seq), let at) in effects {
                var more: [MembershipEffect] = []
                m.handle(.timerFired(.probeTimeout(sequence: seq)), now: at, into: &more)
                #expect(sends(more).allSatisfy { if case .pingRequest = $0.0.body { true } else { false } })
            }
            if m.member(b)?.status == .down && m.member(c)?.status == .down {
                downSeen = true
                break
            }
        }
        #expect(downSeen)
    }

    @Test func onLateTimer_shouldGoQuietAndAccuseNoOne() {
        var (m, effects) = started(a)
        m.handle(.received(MembershipMessage(sender: alive(b), body: .ack(sequence: 0))), now: t0, into: &effects)
        var now = t0.adding(milliseconds: 1_000)
        m.handle(.timerFired(.protocolPeriod), now: now, into: &effects)
        // The loop stalls for 20 s: the next period fires very late.
        now = now.adding(milliseconds: 21_000)
        m.handle(.timerFired(.protocolPeriod), now: now, into: &effects)
        #expect(m.lagsSeen == 1)
        #expect(m.member(b)?.status == .alive)
    }

    @Test func onLeave_shouldAnnounceLeftWithHigherIncarnation() {
        var (m, effects) = started(a)
        m.handle(.received(MembershipMessage(sender: alive(b), body: .ack(sequence: 0))), now: t0, into: &effects)
        effects.removeAll()
        m.handle(.leave, now: t0, into: &effects)
        #expect(m.myself.status == .left && m.myself.incarnation == 1)
        #expect(sends(effects).contains { $0.0.body == .leave && $0.1 == "n2:1" })
    }

    @Test func onProtocolPeriod_afterLeaving_shouldTellMembersAgainDownOnesIncluded() {
        var (m, effects) = started(a)
        var downB = alive(b, incarnation: 1)
        downB.status = .down
        m.handle(
            .received(MembershipMessage(sender: alive(c), body: .ack(sequence: 0), gossip: [MemberUpdate(downB)])),
            now: t0, into: &effects)
        m.handle(.leave, now: t0, into: &effects)
        effects.removeAll()
        // A leave heard only by members that crash is told again, to down members too.
        m.handle(.timerFired(.protocolPeriod), now: t0.adding(milliseconds: 1_000), into: &effects)
        let told = Set(sends(effects).filter { $0.0.body == .leave }.map(\.1))
        #expect(told == ["n2:1", "n3:1"])
        #expect(timers(effects).contains { $0.0 == .protocolPeriod })
        #expect(!sends(effects).contains { if case .ping = $0.0.body { true } else { false } })
    }

    @Test func onPushPullDue_withASeedThatIsNoMember_shouldSometimesPushToTheSeed() {
        // Joined through n2, which knows n3; seed:1 is an address no member has.
        var (m, effects) = started(a, seeds: ["n2:1", "n3:1", "seed:1"])
        m.handle(
            .received(
                MembershipMessage(
                    sender: alive(b),
                    body: .pushPull(
                        isJoin: true, isReply: true, members: [MemberUpdate(alive(b)), MemberUpdate(alive(c))]))),
            now: t0, into: &effects)
        #expect(m.isJoined)
        var targets: [String] = []
        var now = t0
        for _ in 0..<60 {
            effects.removeAll()
            now = now.adding(milliseconds: m.settings.pushPullIntervalMilliseconds + 1_000)
            m.handle(.timerFired(.protocolPeriod), now: now, into: &effects)
            for (message, to) in sends(effects) {
                if case .pushPull = message.body { targets.append(to) }
            }
        }
        // Two groups that share no member meet only through their seeds.
        #expect(targets.contains("seed:1") && (targets.contains("n2:1") || targets.contains("n3:1")))
        #expect(targets.filter { $0 == "seed:1" }.count < targets.count / 2)
    }

    @Test func onJoinReply_fromANodeThatKnowsTooFewOfTheSeeds_shouldNotCountAsJoined() {
        // Two nodes restarted while cut off from the rest answer each other's joins: each
        // learns only the other, a minority of its seeds, and must not act as if it knew its
        // cluster (it would own every key with one other node).
        var (m, effects) = started(a, seeds: ["n2:1", "n3:1", "n4:1"])
        m.handle(
            .received(
                MembershipMessage(
                    sender: alive(b), body: .pushPull(isJoin: true, isReply: true, members: [MemberUpdate(alive(b))]))),
            now: t0, into: &effects)
        #expect(!m.isJoined)
        // Gossip that brings a second seed's member completes the join.
        m.handle(
            .received(MembershipMessage(sender: alive(b), body: .ack(sequence: 0), gossip: [MemberUpdate(alive(c))])),
            now: t0, into: &effects)
        #expect(m.isJoined)
    }

    @Test func onPushPullDue_whenEverySeedIsAMember_shouldNeverPushToTheSeedAddress() {
        var (m, effects) = started(a, seeds: ["n2:1"])
        m.handle(
            .received(
                MembershipMessage(
                    sender: alive(b), body: .pushPull(isJoin: true, isReply: true, members: [MemberUpdate(alive(b))]))),
            now: t0, into: &effects)
        m.handle(.received(MembershipMessage(sender: alive(c), body: .ack(sequence: 0))), now: t0, into: &effects)
        var targets: Set<String> = []
        var now = t0
        for _ in 0..<40 {
            effects.removeAll()
            now = now.adding(milliseconds: m.settings.pushPullIntervalMilliseconds + 1_000)
            m.handle(.timerFired(.protocolPeriod), now: now, into: &effects)
            for (message, to) in sends(effects) {
                if case .pushPull = message.body { targets.insert(to) }
            }
        }
        #expect(targets.isSubset(of: ["n2:1", "n3:1"]) && !targets.isEmpty)
    }

    @Test func onGossip_leftMember_shouldMarkItLeft() {
        var (m, effects) = started(a)
        var leftB = alive(b, incarnation: 3)
        leftB.status = .left
        m.handle(.received(MembershipMessage(sender: leftB, body: .leave)), now: t0, into: &effects)
        #expect(m.member(b)?.status == .left)
        #expect(m.reachableMemberCount == 1)
    }

    @Test func onForget_thenStaleGossip_shouldStayForgottenUntilHigherIncarnation() {
        var (m, effects) = started(a)
        var downB = alive(b, incarnation: 2)
        downB.status = .down
        m.handle(
            .received(
                MembershipMessage(
                    sender: alive(c), body: .ack(sequence: 0),
                    gossip: [MemberUpdate(downB)])), now: t0, into: &effects)
        m.forget(b, now: t0, into: &effects)
        #expect(m.member(b) == nil)
        let stale = MembershipMessage(
            sender: alive(c), body: .ack(sequence: 0),
            gossip: [MemberUpdate(alive(b, incarnation: 2))])
        m.handle(.received(stale), now: t0, into: &effects)
        #expect(m.member(b) == nil)
        var restarted = alive(b, incarnation: 3)
        restarted.address = "elsewhere:9"
        m.handle(.received(MembershipMessage(sender: restarted, body: .ack(sequence: 0))), now: t0, into: &effects)
        #expect(m.member(b) == restarted)
    }

    @Test func onPushPull_fromMyOldLife_shouldRejoinWithHigherIncarnationAndNewAddress() {
        var (m, effects) = started(a, seeds: ["n2:1"])
        var oldMe = alive(a, incarnation: 4)
        oldMe.address = "old:1"
        oldMe.status = .down
        let reply = MembershipMessage(
            sender: alive(b),
            body: .pushPull(
                isJoin: true, isReply: true, members: [MemberUpdate(oldMe), MemberUpdate(alive(b))]))
        m.handle(.received(reply), now: t0, into: &effects)
        #expect(m.isJoined)
        #expect(m.myself.incarnation == 5 && m.myself.address == "n1:1" && m.myself.status == .alive)
    }

    @Test func init_withKnownMembers_shouldHoldThemWithoutGossipOrChanges() {
        var m = Membership(
            id: a, address: "n1:1", settings: .simulation, seed: 1,
            knownMembers: [alive(c), alive(b), alive(a)])
        #expect(m.view.map(\.id) == [a, b, c])
        #expect(m.reachableMemberCount == 3)
        var effects: [MembershipEffect] = []
        m.handle(.start(seeds: []), now: t0, into: &effects)
        #expect(m.pendingGossipCount == 1)  // only its own alive record
    }
}
