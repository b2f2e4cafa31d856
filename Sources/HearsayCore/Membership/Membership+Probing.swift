/// Failure detection: one probe per protocol period, indirect probes through k
/// members, and local health (SWIM 4.1, 4.3; Lifeguard IV.A).
extension Membership {
    /// A protocol period ends and the next begins. Always schedules the next period.
    mutating func onProtocolPeriod(now: Instant, into effects: inout [MembershipEffect]) {
        noteLateness(deadline: nextTickAt, now: now)
        finishProbe(now: now, into: &effects)
        expireSuspicions(now: now, into: &effects)
        if myself.status != .left {
            retryJoinIfDue(now: now, into: &effects)
            pushPullIfDue(now: now, into: &effects)
            startProbe(now: now, into: &effects)
        } else {
            announceLeave(into: &effects)
        }
        nextTickAt = now.adding(nanoseconds: health.scaled(nanoseconds: probeIntervalNanoseconds))
        effects.append(.setTimer(.protocolPeriod, at: nextTickAt))
    }

    /// A timer that fires well after its deadline means this node's own loop
    /// lagged: it goes quiet, extends running suspicions by the lag, and drops the
    /// current probe, whose missing ack may just not have been read yet.
    mutating func noteLateness(deadline: Instant, now: Instant) {
        guard
            let lag = health.noteTimer(
                deadline: deadline, now: now,
                thresholdNanoseconds: settings.lagThresholdMilliseconds &* 1_000_000,
                quietNanoseconds: settings.lagQuietMilliseconds &* 1_000_000
            )
        else { return }
        probe = nil
        for id in suspicions.keys.sorted() { suspicions[id]!.extend(byNanoseconds: lag) }
    }

    /// Concludes the period's probe: an ack makes this node healthier; no ack makes
    /// it suspect the target (unless it is quiet) and, without the nacks it asked
    /// for, doubt itself a little more.
    mutating func finishProbe(now: Instant, into effects: inout [MembershipEffect]) {
        guard let finished = probe else { return }
        probe = nil
        if finished.acked {
            health.adjust(by: -1)
            return
        }
        guard !health.isQuiet(now: now) else { return }
        let missingNacks = finished.indirectAsked - finished.nacks
        health.adjust(by: finished.indirectAsked > 0 ? missingNacks : 1)
        guard let target = members[finished.target], target.status.isReachable else { return }
        suspectByMyself(target, now: now, into: &effects)
    }

    mutating func startProbe(now: Instant, into effects: inout [MembershipEffect]) {
        let chosen = probeOrder.next(
            candidates: { [members, memberIDs] in memberIDs.filter { members[$0]?.status.isReachable ?? false } },
            isProbeable: { [members] id in members[id]?.status.isReachable ?? false },
            using: &rng
        )
        guard let targetID = chosen, let target = members[targetID] else { return }
        let sequence = takeSequence()
        let timeoutAt = now.adding(nanoseconds: health.scaled(nanoseconds: probeTimeoutNanoseconds))
        probe = Probe(target: targetID, sequence: sequence, timeoutAt: timeoutAt)
        send(.ping(sequence: sequence, target: targetID), to: target.address, about: targetID, into: &effects)
        effects.append(.setTimer(.probeTimeout(sequence: sequence), at: timeoutAt))
    }

    /// No direct ack in time: ask k random reachable members to probe the target.
    mutating func onProbeTimeout(sequence: UInt64, now: Instant, into effects: inout [MembershipEffect]) {
        guard let current = probe, current.sequence == sequence, !current.acked else { return }
        noteLateness(deadline: current.timeoutAt, now: now)
        guard probe != nil, !health.isQuiet(now: now), let target = members[current.target] else { return }
        pickRandomReachable(count: settings.indirectProbeCount, excluding: target.id)
        let body = MembershipMessage.Body.pingRequest(
            sequence: sequence, target: target.id, targetAddress: target.address
        )
        for id in scratchIDs {
            guard let intermediate = members[id] else { continue }
            send(body, to: intermediate.address, about: id, into: &effects)
        }
        probe!.indirectAsked = scratchIDs.count
    }

    /// Fills `scratchIDs` with up to `count` distinct random reachable members,
    /// never this node nor `excluding`, drawn in the defined (sorted) order.
    mutating func pickRandomReachable(count: Int, excluding: NodeID?) {
        scratchIDs.removeAll(keepingCapacity: true)
        for id in memberIDs where id != excluding && members[id]!.status.isReachable {
            scratchIDs.append(id)
        }
        let take = min(count, scratchIDs.count)
        for i in 0..<take {
            scratchIDs.swapAt(i, Int.random(in: i..<scratchIDs.count, using: &rng))
        }
        scratchIDs.removeLast(scratchIDs.count - take)
    }

    /// A ping-req: probe the target on the requester's behalf (bounded).
    mutating func onPingRequest(
        sequence: UInt64, target: NodeID, targetAddress: String,
        from requester: Member, now: Instant, into effects: inout [MembershipEffect]
    ) {
        guard target != myself.id else {
            send(.ack(sequence: sequence), to: requester.address, about: requester.id, into: &effects)
            return
        }
        guard relays.count < settings.maxPendingRelays else { return }
        let local = takeSequence()
        relays[local] = Relay(requesterAddress: requester.address, requesterSequence: sequence)
        send(.ping(sequence: local, target: target), to: targetAddress, about: target, into: &effects)
        effects.append(.setTimer(.relayTimeout(sequence: local), at: now.adding(nanoseconds: relayTimeoutNanoseconds)))
    }

    /// The relayed probe got no ack: tell the requester (Lifeguard's nack).
    mutating func onRelayTimeout(sequence: UInt64, into effects: inout [MembershipEffect]) {
        guard let relay = relays.removeValue(forKey: sequence) else { return }
        send(.nack(sequence: relay.requesterSequence), to: relay.requesterAddress, about: nil, into: &effects)
    }

    mutating func onAck(sequence: UInt64, into effects: inout [MembershipEffect]) {
        if probe?.sequence == sequence {
            probe!.acked = true
        } else if let relay = relays.removeValue(forKey: sequence) {
            send(.ack(sequence: relay.requesterSequence), to: relay.requesterAddress, about: nil, into: &effects)
        }
    }

    mutating func onNack(sequence: UInt64) {
        if probe?.sequence == sequence { probe!.nacks += 1 }
    }
}
