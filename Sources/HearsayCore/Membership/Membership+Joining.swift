/// Joining through seeds, full state exchange (push-pull), graceful leave and
/// forgetting a member.
extension Membership {
    mutating func onStart(seeds: [String], now: Instant, into effects: inout [MembershipEffect]) {
        precondition(!started, "start twice")
        started = true
        var unique: [String] = []
        for seed in seeds where seed != myself.address && !unique.contains(seed) && unique.count < Self.maxSeeds {
            unique.append(seed)
        }
        self.seeds = unique
        isJoined = unique.isEmpty
        effects.append(.changed(MembershipChange(id: myself.id, previous: nil, current: myself)))
        gossip.enqueue(MemberUpdate(myself))
        // A random first period spreads nodes started together over the interval.
        let jitter = Int64.random(in: 0..<probeIntervalNanoseconds, using: &rng)
        nextTickAt = now.adding(nanoseconds: jitter)
        effects.append(.setTimer(.protocolPeriod, at: nextTickAt))
        if settings.pushPullIntervalMilliseconds > 0 {
            let interval = settings.pushPullIntervalMilliseconds &* 1_000_000
            nextPushPullAt = now.adding(nanoseconds: Int64.random(in: interval / 2..<interval + 1, using: &rng))
        }
        if !isJoined { sendJoin(now: now, into: &effects) }
    }

    mutating func sendJoin(now: Instant, into effects: inout [MembershipEffect]) {
        nextJoinAt = now.adding(milliseconds: settings.joinRetryIntervalMilliseconds)
        for seed in seeds {
            let body = MembershipMessage.Body.pushPull(isJoin: true, isReply: false, members: fullState())
            send(body, to: seed, about: nil, into: &effects)
        }
    }

    mutating func retryJoinIfDue(now: Instant, into effects: inout [MembershipEffect]) {
        guard !isJoined, now >= nextJoinAt else { return }
        sendJoin(now: now, into: &effects)
    }

    /// Every push-pull interval, exchange full state with a random member. Down
    /// members are picked half of the time when there are any: that is how two
    /// sides of a healed partition find each other again. One time in three, a seed
    /// that is no reachable member's address is picked instead: nodes that all
    /// restarted while partitioned can join separate groups that share no member,
    /// and only their seeds lead from one group to the other (as Cassandra's gossip
    /// turns to a seed now and then).
    mutating func pushPullIfDue(now: Instant, into effects: inout [MembershipEffect]) {
        guard isJoined, settings.pushPullIntervalMilliseconds > 0, now >= nextPushPullAt else { return }
        nextPushPullAt = now.adding(
            milliseconds: settings.pushPullIntervalMilliseconds(reachableMembers: reachableMemberCount))
        if let seed = unjoinedSeed(), Int.random(in: 0..<3, using: &rng) == 0 {
            let body = MembershipMessage.Body.pushPull(isJoin: false, isReply: false, members: fullState())
            send(body, to: seed, about: nil, into: &effects)
            return
        }
        scratchIDs.removeAll(keepingCapacity: true)
        let preferDown = Bool.random(using: &rng)
        if preferDown {
            for id in memberIDs where members[id]!.status == .down { scratchIDs.append(id) }
        }
        if scratchIDs.isEmpty {
            for id in memberIDs where members[id]!.status != .left { scratchIDs.append(id) }
        }
        guard let id = scratchIDs.randomElement(using: &rng), let target = members[id] else { return }
        let body = MembershipMessage.Body.pushPull(isJoin: false, isReply: false, members: fullState())
        send(body, to: target.address, about: id, into: &effects)
    }

    /// A node with seeds has joined once a push-pull reply came and its view holds a majority
    /// of its seeds (by address, in any status). Two nodes that restart while cut off from the
    /// rest can answer each other's joins; knowing only each other, they would each compute a
    /// placement of two and acknowledge writes as if they were all the owners. Until it has
    /// joined, a node refuses writes (`Coordinator`).
    mutating func noteJoinProgress() {
        guard !isJoined, joinReplied else { return }
        let known = seeds.filter { seed in memberIDs.contains { members[$0]!.address == seed } }.count
        if known * 2 > seeds.count { isJoined = true }
    }

    /// A random seed whose address no reachable member has, if any.
    mutating func unjoinedSeed() -> String? {
        let unjoined = seeds.filter { seed in
            !memberIDs.contains { members[$0]!.address == seed && members[$0]!.status.isReachable }
        }
        return unjoined.randomElement(using: &rng)
    }

    mutating func onPushPull(
        isJoin: Bool, isReply: Bool, state: [MemberUpdate], from sender: Member,
        now: Instant, into effects: inout [MembershipEffect]
    ) {
        for update in state { apply(update, now: now, into: &effects) }
        if isReply {
            joinReplied = true
            noteJoinProgress()
        } else {
            let body = MembershipMessage.Body.pushPull(isJoin: isJoin, isReply: true, members: fullState())
            send(body, to: sender.address, about: sender.id, into: &effects)
        }
    }

    /// Every record this node holds, itself included, sorted by id.
    func fullState() -> [MemberUpdate] {
        var state: [MemberUpdate] = []
        state.reserveCapacity(memberIDs.count + 1)
        var selfAdded = false
        for id in memberIDs {
            if !selfAdded && id > myself.id {
                state.append(MemberUpdate(myself))
                selfAdded = true
            }
            let member = members[id]!
            state.append(MemberUpdate(member, accuser: suspicions[id]?.accusers.first ?? myself.id))
        }
        if !selfAdded { state.append(MemberUpdate(myself)) }
        return state
    }

    /// Announce `left` at a higher incarnation to a few members directly and to
    /// everyone through gossip; stop probing. Leaving twice does nothing.
    mutating func onLeave(now: Instant, into effects: inout [MembershipEffect]) {
        guard myself.status != .left else { return }
        let previous = myself
        myself.incarnation &+= 1
        myself.status = .left
        reachableMemberCount -= 1
        probe = nil
        gossip.enqueue(MemberUpdate(myself))
        effects.append(.changed(MembershipChange(id: myself.id, previous: previous, current: myself)))
        announceLeave(into: &effects)
    }

    /// Tells `leaveFanout` random members that this node left: once when it leaves, then
    /// every protocol period until the driver stops it. Members marked down are included (a
    /// member this node could not reach may be up, and may be the only one left to tell), so
    /// a leave heard by one member that crashes before gossiping it is told again.
    mutating func announceLeave(into effects: inout [MembershipEffect]) {
        scratchIDs.removeAll(keepingCapacity: true)
        for id in memberIDs where members[id]!.status != .left { scratchIDs.append(id) }
        let take = min(settings.leaveFanout, scratchIDs.count)
        for i in 0..<take { scratchIDs.swapAt(i, Int.random(in: i..<scratchIDs.count, using: &rng)) }
        for id in scratchIDs.prefix(take) {
            guard let member = members[id] else { continue }
            send(.leave, to: member.address, about: id, into: &effects)
        }
    }

    /// Removes `id` from this view; gossip at or below its last incarnation is
    /// ignored from now on, so only a restarted node (higher incarnation) returns.
    mutating func onForget(_ id: NodeID, into effects: inout [MembershipEffect]) {
        guard id != myself.id, let current = members.removeValue(forKey: id) else { return }
        if current.status.isReachable { reachableMemberCount -= 1 }
        memberIDs.remove(at: memberIDs.partitioningIndex { $0 >= id })
        suspicions[id] = nil
        gossip.remove(id)
        if forgotten.count >= settings.maxMembers, let oldest = forgotten.keys.min() { forgotten[oldest] = nil }
        forgotten[id] = current.incarnation
        effects.append(.changed(MembershipChange(id: id, previous: current, current: nil)))
    }
}
