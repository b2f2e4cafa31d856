/// Where HS.FAULT's rules meet the node's traffic: incoming frames are checked before the node
/// handles them, outgoing `.send` effects when the driver takes the output. Nothing here runs
/// unless a rule is set or frames are held.
extension FaultInjector {
    /// The peer that sent `frame`, read from the payload's sender field (every peer message
    /// names its sender: membership at byte 2, replication at byte 1, anti-entropy at byte 0).
    static func sender(of frame: Frame) -> NodeID? {
        let offset: Int
        switch frame.type {
        case .ping, .indirectPing, .ack, .nack, .pushPull, .leave: offset = 2
        case .replicaWrite, .replicaWriteAck, .replicaRead, .replicaReadReply, .forwardRequest, .forwardReply:
            offset = 1
        case .merkleRequest, .merkleReply: offset = 0
        default: return nil
        }
        guard frame.payload.count >= offset + 8 else { return nil }
        var raw: UInt64 = 0
        for i in 0..<8 { raw |= UInt64(frame.payload[offset + i]) << (8 * UInt64(i)) }
        return NodeID(raw)
    }

    /// Applies the incoming rules to `frame`: true lets it through now; false means it was
    /// dropped or held (a held frame's release timer, if needed, goes into `effects`).
    mutating func admitIncoming(_ frame: Frame, now: Now, output: inout NodeOutput) -> Bool {
        guard let peer = FaultInjector.sender(of: frame), let action = action(for: peer, incoming: true) else {
            return true
        }
        switch action {
        case .drop:
            countDrop(peer, incoming: true)
        case .delay(let milliseconds):
            if let at = hold(
                .incoming(frame), peer: peer, incoming: true, milliseconds: milliseconds, now: now.monotonic)
            {
                output.effects.append(.setTimer(.faultRelease, at: at))
            }
        }
        return false
    }

    /// Applies the outgoing rules to the `.send` effects in `effects[start...]`: dropped ones
    /// are removed, delayed ones held. Peers are matched by the address membership knows.
    mutating func applyOutgoing(to effects: inout [NodeEffect], from start: Int, now: Now, topology: Topology) {
        guard isActive, start < effects.count else { return }
        let peers: [(address: String, id: NodeID)] = rules.keys.sorted().compactMap { id in
            topology.address(of: id).map { ($0, id) }
        }
        guard !peers.isEmpty else { return }
        var kept = start
        var timers: [NodeEffect] = []
        for i in start..<effects.count {
            let effect = effects[i]
            if case .send(let type, let payload, let address, let channel) = effect,
                let peer = peers.first(where: { $0.address == address })?.id,
                let action = action(for: peer, incoming: false)
            {
                switch action {
                case .drop:
                    countDrop(peer, incoming: false)
                case .delay(let milliseconds):
                    let held = FaultInjector.Held.Payload.outgoing(
                        type: type, payload: payload, to: address, channel: channel)
                    if let at = hold(
                        held, peer: peer, incoming: false, milliseconds: milliseconds, now: now.monotonic)
                    {
                        timers.append(.setTimer(.faultRelease, at: at))
                    }
                }
                continue
            }
            effects[kept] = effect
            kept += 1
        }
        effects.removeSubrange(kept..<effects.count)
        effects.append(contentsOf: timers)
    }
}

extension Node {
    /// The release timer fired: held incoming frames are handled now (their effects pass the
    /// rules like any other), held outgoing frames go to `output.released`, appended after the
    /// outgoing rules ran (they already waited their delay).
    mutating func releaseHeldFrames(now: Now) {
        let (due, timer) = faults.releaseDue(now: now.monotonic)
        for item in due {
            switch item.payload {
            case .incoming(let frame):
                handleFrame(frame, now: now)
            case .outgoing(let type, let payload, let to, let channel):
                output.released.append(.send(type: type, payload: payload, to: to, channel: channel))
            }
        }
        if let timer { output.effects.append(.setTimer(.faultRelease, at: timer)) }
    }
}
