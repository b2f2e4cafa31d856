import RESP

/// HS.FAULT: fault injection for demos and tests, refused unless the node was started with
/// `--enable-fault-injection` (ClusterSettings.faultInjectionEnabled).
///
///     HS.FAULT DROP peer-id [IN|OUT|BOTH]                 +OK
///     HS.FAULT DELAY peer-id milliseconds [IN|OUT|BOTH]   +OK (1 to 3,600,000 ms)
///     HS.FAULT CLEAR [peer-id]                            :rules removed
///     HS.FAULT                                            the active rules
///
/// The direction defaults to BOTH; a new rule replaces the peer's rule for the directions
/// it names. Each active rule lists as a flat key/value array:
///
///     [peer, id, direction, in|out, action, drop|delay, delay_ms, n, dropped, n, delayed, n, held, n]
///
/// `dropped` counts frames the rule dropped (and frames it held that the held-frame bound
/// dropped), `delayed` frames it held so far, `held` frames it holds now.
extension Node {
    static let faultsDisabled = "ERR fault injection is disabled (start the node with --enable-fault-injection)"

    mutating func faultCommand(_ a: Arguments, _ r: inout ReplyBuffer) {
        guard cluster.settings.faultInjectionEnabled else { return r.error(Node.faultsDisabled) }
        if a.count == 1 { return listFaults(&r) }
        if a.matches(1, "CLEAR") {
            guard a.count <= 3 else { return r.error(ErrorText.syntax) }
            var peer: NodeID? = nil
            if a.count == 3 {
                guard let raw = UInt64(a.string(2), radix: 16) else { return r.error("ERR invalid node id") }
                peer = NodeID(raw)
            }
            return r.integer(faults.clear(peer: peer))
        }
        let action: FaultAction
        var next = 3
        if a.matches(1, "DROP") {
            action = .drop
        } else if a.matches(1, "DELAY") {
            guard a.count >= 4 else { return r.error(ErrorText.syntax) }
            guard let ms = a.int64(3), ms >= 1, ms <= FaultInjector.maxDelayMilliseconds else {
                return r.error("ERR delay must be 1 to \(FaultInjector.maxDelayMilliseconds) milliseconds")
            }
            action = .delay(milliseconds: ms)
            next = 4
        } else {
            return r.error("ERR unknown HS.FAULT subcommand (DROP, DELAY, CLEAR, or none to list)")
        }
        guard a.count >= 3, a.count <= next + 1 else { return r.error(ErrorText.syntax) }
        var direction = FaultDirection.both
        if a.count == next + 1 {
            if a.matches(next, "IN") {
                direction = .incoming
            } else if a.matches(next, "OUT") {
                direction = .outgoing
            } else if a.matches(next, "BOTH") {
                direction = .both
            } else {
                return r.error(ErrorText.syntax)
            }
        }
        guard let raw = UInt64(a.string(2), radix: 16) else { return r.error("ERR invalid node id") }
        let peer = NodeID(raw)
        guard peer != cluster.settings.nodeID else { return r.error("ERR a node cannot fault itself") }
        guard cluster.membership.member(peer) != nil else { return r.error("ERR unknown node \(a.string(2))") }
        guard faults.set(action, peer: peer, direction: direction) else {
            return r.error("ERR too many fault rules (at most \(FaultInjector.maxPeers) peers)")
        }
        r.ok()
    }

    func listFaults(_ r: inout ReplyBuffer) {
        let rules = faults.rules
        let peers = rules.keys.sorted()
        var entries: [(NodeID, Bool, FaultAction, dropped: Int, delayed: Int)] = []
        for peer in peers {
            let rule = rules[peer]!
            if let a = rule.incoming { entries.append((peer, true, a, rule.droppedIncoming, rule.delayedIncoming)) }
            if let a = rule.outgoing { entries.append((peer, false, a, rule.droppedOutgoing, rule.delayedOutgoing)) }
        }
        r.arrayHeader(entries.count)
        for (peer, incoming, action, dropped, delayed) in entries {
            r.arrayHeader(14)
            r.bulk("peer")
            r.bulk(peer.description)
            r.bulk("direction")
            r.bulk(incoming ? "in" : "out")
            r.bulk("action")
            switch action {
            case .drop:
                r.bulk("drop")
                r.bulk("delay_ms")
                r.integer(0)
            case .delay(let ms):
                r.bulk("delay")
                r.bulk("delay_ms")
                r.integer(ms)
            }
            r.bulk("dropped")
            r.integer(dropped)
            r.bulk("delayed")
            r.integer(delayed)
            r.bulk("held")
            r.integer(faults.heldCount(for: peer, incoming: incoming))
        }
    }
}
