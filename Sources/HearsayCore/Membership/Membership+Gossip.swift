/// Merging claims about members, suspicion, refutation, and piggybacked
/// dissemination (SWIM 4.2, 4.4; Lifeguard IV.B).
extension Membership {
    mutating func onMessage(_ message: MembershipMessage, now: Instant, into effects: inout [MembershipEffect]) {
        let sender = message.sender
        guard sender.id != myself.id else { return }
        // Any message proves its sender is alive at the incarnation it announces
        // (or left, when it says so).
        apply(MemberUpdate(sender), now: now, into: &effects)
        for update in message.gossip { apply(update, now: now, into: &effects) }
        if !isJoined { noteJoinProgress() }
        switch message.body {
        case .ping(let sequence, let target):
            guard target == myself.id else { return }
            send(.ack(sequence: sequence), to: sender.address, about: sender.id, into: &effects)
        case .ack(let sequence):
            onAck(sequence: sequence, into: &effects)
        case .pingRequest(let sequence, let target, let targetAddress):
            onPingRequest(
                sequence: sequence, target: target, targetAddress: targetAddress,
                from: sender, now: now, into: &effects)
        case .nack(let sequence):
            onNack(sequence: sequence)
        case .pushPull(let isJoin, let isReply, let state):
            onPushPull(isJoin: isJoin, isReply: isReply, state: state, from: sender, now: now, into: &effects)
        case .leave:
            break
        }
    }

    /// Merges one claim into the view. A claim that supersedes what this node knows
    /// replaces it and is gossiped on; a new accuser of a running suspicion confirms
    /// it; anything else is stale and dropped.
    mutating func apply(_ update: MemberUpdate, now: Instant, into effects: inout [MembershipEffect]) {
        let claim = update.member
        if claim.id == myself.id {
            refuteIfNeeded(claim, now: now, into: &effects)
            return
        }
        if let last = forgotten[claim.id] {
            guard claim.incarnation > last else { return }
            forgotten[claim.id] = nil
        }
        guard let current = members[claim.id] else {
            guard memberIDs.count + 1 < settings.maxMembers else { return }
            insertMember(claim)
            transition(from: nil, to: update, now: now, into: &effects)
            return
        }
        if claim.supersedes(current) {
            members[claim.id] = claim
            transition(from: current, to: update, now: now, into: &effects)
        } else if claim.status == .suspect, current.status == .suspect, claim.incarnation == current.incarnation,
            let accuser = update.accuser, suspicions[claim.id]?.confirm(by: accuser) == true
        {
            gossip.enqueue(update)
        }
    }

    /// Bookkeeping after a member's record changed from `previous` to `update`.
    mutating func transition(
        from previous: Member?, to update: MemberUpdate, now: Instant,
        into effects: inout [MembershipEffect]
    ) {
        let member = update.member
        let wasReachable = previous?.status.isReachable ?? false
        if wasReachable != member.status.isReachable { reachableMemberCount += member.status.isReachable ? 1 : -1 }
        if member.status == .suspect {
            startSuspicion(of: member, accuser: update.accuser ?? myself.id, now: now)
        } else {
            suspicions[member.id] = nil
        }
        if member.status.isReachable && !wasReachable { probeOrder.insert(member.id, using: &rng) }
        gossip.enqueue(update)
        effects.append(.changed(MembershipChange(id: member.id, previous: previous, current: member)))
    }

    mutating func insertMember(_ member: Member) {
        members[member.id] = member
        let position = memberIDs.partitioningIndex { $0 >= member.id }
        memberIDs.insert(member.id, at: position)
    }

    mutating func startSuspicion(of member: Member, accuser: NodeID, now: Instant) {
        let minimum = settings.suspicionMinimumNanoseconds(reachableMembers: reachableMemberCount)
        let maximum = Int64(Double(minimum) * settings.suspicionMaxMultiplier)
        // Small clusters cannot supply k independent accusers (memberlist: k = 0
        // when n - 2 < k), so they run with the minimum timeout.
        let k = reachableMemberCount - 2 < settings.expectedConfirmations ? 0 : settings.expectedConfirmations
        suspicions[member.id] = Suspicion(
            incarnation: member.incarnation, accuser: accuser, startedAt: now,
            minimumNanoseconds: minimum, maximumNanoseconds: maximum, expectedConfirmations: k
        )
    }

    /// This node's own probe of `target` failed: suspect it, or confirm a running
    /// suspicion as one more independent accuser.
    mutating func suspectByMyself(_ target: Member, now: Instant, into effects: inout [MembershipEffect]) {
        var claim = target
        claim.status = .suspect
        apply(MemberUpdate(claim, accuser: myself.id), now: now, into: &effects)
    }

    /// Suspicions whose time ran out become `down`, unless this node is quiet.
    mutating func expireSuspicions(now: Instant, into effects: inout [MembershipEffect]) {
        guard !suspicions.isEmpty, !health.isQuiet(now: now) else { return }
        scratchIDs.removeAll(keepingCapacity: true)
        for (id, suspicion) in suspicions where suspicion.deadline <= now { scratchIDs.append(id) }
        scratchIDs.sort()
        for id in scratchIDs {
            guard let current = members[id], current.status == .suspect else { continue }
            var down = current
            down.status = .down
            members[id] = down
            transition(from: current, to: MemberUpdate(down), now: now, into: &effects)
        }
    }

    /// A claim about this node: if it says anything but "alive at my incarnation
    /// and address" with an incarnation at or above mine, raise the incarnation past
    /// it and gossip the refutation (SWIM 4.2). A node that left re-announces `left`.
    mutating func refuteIfNeeded(_ claim: Member, now: Instant, into effects: inout [MembershipEffect]) {
        guard claim.incarnation >= myself.incarnation else { return }
        if claim.incarnation == myself.incarnation && claim.status == myself.status
            && claim.address == myself.address
        {
            return
        }
        if claim.status == .left && myself.status == .left && claim.incarnation == myself.incarnation { return }
        let previous = myself
        if claim.status == .suspect || claim.status == .down { health.adjust(by: 1) }
        myself.incarnation = claim.incarnation &+ 1
        gossip.enqueue(MemberUpdate(myself))
        effects.append(.changed(MembershipChange(id: myself.id, previous: previous, current: myself)))
    }

    /// Sends `body` with piggybacked gossip. When the destination `about` is suspect
    /// or down in this view, that record goes first, so the node hears it and can
    /// refute at once (Lifeguard's buddy system).
    mutating func send(
        _ body: MembershipMessage.Body, to address: String, about destination: NodeID?,
        into effects: inout [MembershipEffect]
    ) {
        var piggyback: [MemberUpdate] = []
        piggyback.reserveCapacity(settings.maxPiggybackUpdates)
        var excluded: NodeID? = nil
        if let destination, let record = members[destination], record.status == .suspect || record.status == .down {
            piggyback.append(MemberUpdate(record, accuser: suspicions[destination]?.accusers.first ?? myself.id))
            excluded = destination
        }
        gossip.take(
            upTo: settings.maxPiggybackUpdates - piggyback.count,
            retransmitLimit: settings.retransmitLimit(reachableMembers: reachableMemberCount),
            excluding: excluded, into: &piggyback
        )
        effects.append(.send(MembershipMessage(sender: myself, body: body, gossip: piggyback), to: address))
    }
}

extension Array {
    /// The first index whose element satisfies `predicate`, for a predicate that is
    /// false then true along the array (binary search).
    func partitioningIndex(where predicate: (Element) -> Bool) -> Int {
        var low = 0
        var high = count
        while low < high {
            let mid = (low + high) / 2
            if predicate(self[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
