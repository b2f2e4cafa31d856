/// Anti-entropy driven by the node: every `antiEntropyIntervalMilliseconds` a node starts an
/// exchange (when fewer than `antiEntropyConcurrency` are open; up to
/// `antiEntropyRepairBurst` while exchanges keep finding differences) for one partition it
/// replicates, with another reachable replica of it, taking partitions in turn. The peer
/// answers as responder. Frames: merkleRequest from the initiator, merkleReply from the
/// responder; the payload is the sender's id then the encoded `ExchangeMessage`.
extension Node {
    struct ExchangeKey: Hashable {
        var peer: NodeID
        var session: UInt64
        var initiator: Bool
    }

    /// Starts an exchange if there is room, and times out exchanges past their deadline.
    mutating func antiEntropyTick(now: Now) {
        guard cluster.settings.antiEntropyIntervalMilliseconds > 0 else { return }
        for key in cluster.exchanges.keys.sorted(by: { ($0.session, $0.peer) < ($1.session, $1.peer) }) {
            // A session whose message waits for the byte budget is not waiting for its peer.
            guard var session = cluster.exchanges[key], session.deadline <= now.monotonic,
                cluster.deferredSends[key] == nil
            else { continue }
            let directives = session.timeout(now: now.monotonic)
            cluster.exchanges[key] = session
            perform(directives, key: key, now: now)
        }
        purgeStableTombstones(now: now)
        cluster.exchangeRate.refill(now: now.monotonic)
        flushDeferredSends(now: now)
        // While exchanges keep finding differences, a tick starts several (up to the
        // concurrency bound): repair after a partition or a stopped node goes at the pace the
        // byte budget allows, not one partition per tick. Quiet clusters start one.
        let repairing = cluster.lastDifferenceAt.map { now.monotonic.milliseconds - $0.milliseconds < 1_000 } ?? false
        let starts = repairing ? cluster.settings.antiEntropyRepairBurst : 1
        for _ in 0..<max(1, starts) {
            guard cluster.exchanges.count < cluster.settings.antiEntropyConcurrency, !topology.isAlone,
                cluster.deferredSends.isEmpty, cluster.exchangeRate.allowsSending
            else { return }
            startNextExchange(now: now)
        }
    }

    /// Starts one exchange: a handoff every other turn while there are any, else the next
    /// partition this node replicates with its next peer.
    mutating func startNextExchange(now: Now) {
        let placement = topology.placement
        // Partitions an exchange left unsettled (aborted, or work dropped at a bound) go first.
        while let partition = cluster.differingPartitions.first {
            cluster.differingPartitions.removeFirst()
            cluster.differingSet.remove(partition)
            let me = cluster.settings.nodeID
            let peers = placement.replicas(for: PartitionID(partition)).filter { $0 != me && topology.isReachable($0) }
            guard placement.isReplica(me, of: PartitionID(partition)), !peers.isEmpty else { continue }
            let turn = cluster.nextExchangePartition
            return startExchange(partition: partition, with: peers[turn % peers.count], now: now)
        }
        let me = cluster.settings.nodeID
        let handoffs = trackHandoffs(placement: placement, now: now)
        let turn = cluster.nextExchangePartition
        cluster.nextExchangePartition &+= 1
        // Every other exchange hands off a partition this node no longer replicates, if any
        // (when none of its replicas is reachable, the turn goes to an ordinary exchange).
        if !handoffs.isEmpty && turn % 2 == 1 {
            let partition = handoffs[(turn / 2) % handoffs.count]
            let peers = placement.replicas(for: PartitionID(partition)).filter { topology.isReachable($0) }
            if !peers.isEmpty {
                let peer = peers[(turn / 2 / handoffs.count) % peers.count]
                return startExchange(partition: partition, with: peer, now: now)
            }
        }
        let partitions = placement.partitions(replicatedOn: me)
        guard !partitions.isEmpty else { return }
        let partition = partitions[turn % partitions.count]
        let peers = placement.replicas(for: partition).filter { $0 != me && topology.isReachable($0) }
        guard !peers.isEmpty else { return }
        // The next peer on each pass over the partitions, so every pair of replicas meets
        // (tombstone purging needs an agreement with each of them).
        startExchange(
            partition: partition.index, with: peers[(turn / partitions.count + partition.index) % peers.count], now: now
        )
    }

    mutating func startExchange(partition: Int, with peer: NodeID, now: Now) {
        let id = cluster.nextExchangeID
        cluster.nextExchangeID &+= 1
        var session = ExchangeSession(
            initiating: partition, id: id, salt: rng.next(), store: store,
            settings: cluster.settings.exchange, now: now.monotonic)
        let directives = session.start(store: store, now: now.monotonic)
        let key = ExchangeKey(peer: peer, session: id, initiator: true)
        cluster.exchanges[key] = session
        cluster.antiEntropy.started += 1
        perform(directives, key: key, now: now)
    }

    /// A merkleRequest (to the responder) or merkleReply (to the initiator) arrived.
    mutating func handleExchangeFrame(_ frame: Frame, now: Now) throws(DecodeError) {
        var reader = ByteReader(frame.payload)
        let sender = NodeID(try reader.u64())
        let message = try ExchangeMessage(decoding: Array(frame.payload.dropFirst(8)))
        let toInitiator = frame.type == .merkleReply
        let key = ExchangeKey(peer: sender, session: message.session, initiator: toInitiator)
        var session: ExchangeSession
        if let existing = cluster.exchanges.removeValue(forKey: key) {
            session = existing
        } else if !toInitiator, message.sequence == 0,
            cluster.exchanges.count + cluster.deferredSends.count < 2 * cluster.settings.antiEntropyConcurrency + 8,
            let fresh = ExchangeSession(respondingTo: message, settings: cluster.settings.exchange, now: now.monotonic)
        {
            session = fresh
        } else {
            cluster.antiEntropy.ignored += 1
            return
        }
        let directives = session.receive(message, store: &store, now: now)
        cluster.exchanges[key] = session
        perform(directives, key: key, now: now)
    }

    mutating func perform(_ directives: [ExchangeDirective], key: ExchangeKey, now: Now) {
        for directive in directives {
            switch directive {
            case .send(let message):
                if cluster.exchangeRate.allowsSending {
                    transmit(message, key: key)
                } else {
                    cluster.deferredSends[key] = message
                    cluster.antiEntropy.sendsDeferred += 1
                }
            case .finished(let stats):
                if let session = cluster.exchanges.removeValue(forKey: key) {
                    if session.agreed {
                        recordAgreement(session, peer: key.peer, now: now)
                    } else {
                        cluster.notePartitionDiffers(session.partition)
                    }
                }
                cluster.antiEntropy.finished += 1
                cluster.antiEntropy.record(stats)
                if stats.objectsSent + stats.objectsMerged > 0 { cluster.lastDifferenceAt = now.monotonic }
            case .aborted(_, let stats):
                // Whatever it had found is still to repair: the partition goes first next time.
                if let session = cluster.exchanges[key] { cluster.notePartitionDiffers(session.partition) }
                cluster.exchanges[key] = nil
                cluster.deferredSends[key] = nil
                cluster.antiEntropy.aborted += 1
                cluster.antiEntropy.record(stats)
            }
        }
    }
}

extension Node {
    func exchangeFrame(_ message: ExchangeMessage) -> [UInt8] {
        var writer = ByteWriter(capacity: 8 + message.encodedByteCount)
        writer.u64(cluster.settings.nodeID.rawValue)
        message.encode(into: &writer)
        return writer.takeBytes()
    }

    mutating func transmit(_ message: ExchangeMessage, key: ExchangeKey) {
        guard let address = cluster.address(of: key.peer) else { return }
        let payload = exchangeFrame(message)
        cluster.exchangeRate.take(payload.count)
        cluster.antiEntropy.bytesTransmitted += payload.count
        output.effects.append(
            .send(type: key.initiator ? .merkleRequest : .merkleReply, payload: payload, to: address, channel: .stream))
    }

    /// Sends held-back messages, oldest session first, while the budget allows; each session
    /// waits for its peer's answer from the moment its message actually leaves.
    mutating func flushDeferredSends(now: Now) {
        guard !cluster.deferredSends.isEmpty else { return }
        let keys = cluster.deferredSends.keys.sorted { ($0.session, $0.peer) < ($1.session, $1.peer) }
        for key in keys {
            guard cluster.exchangeRate.allowsSending else { return }
            guard let message = cluster.deferredSends.removeValue(forKey: key) else { continue }
            transmit(message, key: key)
            let deadline = now.monotonic.adding(milliseconds: cluster.settings.exchange.replyTimeoutMilliseconds)
            cluster.exchanges[key]?.deadline = deadline
        }
    }
}

/// Anti-entropy counters for HS.STATS.
public struct AntiEntropyStats: Sendable {
    public var started = 0
    public var finished = 0
    public var aborted = 0
    public var ignored = 0
    public var objectsSent = 0
    public var objectsMerged = 0
    public var bytesSent = 0
    /// Exchanges that ended with both sides agreeing (see `ExchangeSession.agreed`).
    public var agreed = 0
    /// Settled tombstones not stored because this node held nothing for the key.
    public var settledSkipped = 0
    /// Bytes of exchange frames handed to the network, counted as they go (rate limited).
    public var bytesTransmitted = 0
    /// Messages held back because the byte budget was spent.
    public var sendsDeferred = 0
    /// Partitions handed off to their current replicas and dropped here, and their entries.
    public var handoffsCompleted = 0
    public var handoffKeysDropped = 0

    mutating func record(_ stats: ExchangeStats) {
        objectsSent += stats.objectsSent
        objectsMerged += stats.objectsMerged
        bytesSent += stats.bytesSent
        settledSkipped += stats.settledSkipped
    }
}
