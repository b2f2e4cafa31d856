/// Anti-entropy as one machine: the exchanges this node runs (as initiator or responder),
/// their byte budget, the agreements they reached, handoff of partitions this node no longer
/// replicates, and the tombstones that agreement lets it purge. It acts on the store, the
/// topology and the output the node lends it for each tick or frame.
///
/// Every `antiEntropyIntervalMilliseconds` a node starts an exchange (when fewer than
/// `antiEntropyConcurrency` are open; up to `antiEntropyRepairBurst` while exchanges keep
/// finding differences) for one partition it replicates, with another reachable replica of
/// it, taking partitions in turn. The peer answers as responder. Frames: merkleRequest from
/// the initiator, merkleReply from the responder; the payload is the sender's id then the
/// encoded `ExchangeMessage`.
public struct AntiEntropy {
    struct ExchangeKey: Hashable {
        var peer: NodeID
        var session: UInt64
        var initiator: Bool
    }

    private let settingsBox: Box<ClusterSettings>
    var settings: ClusterSettings { settingsBox.value }
    /// Open exchanges, by peer, session id and role.
    var exchanges: [ExchangeKey: ExchangeSession] = [:]
    var nextExchangeID: UInt64 = 1
    var nextExchangePartition = 0
    /// Counters for HS.STATS.
    public internal(set) var stats = AntiEntropyStats()
    /// The byte budget of anti-entropy, and messages waiting for it (one per session at most).
    var exchangeRate: ByteRateLimit
    var deferredSends: [ExchangeKey: ExchangeMessage] = [:]
    /// When each partition last agreed with each of its other replicas (HS.AGREEMENT).
    public internal(set) var agreements: AgreementTable
    /// Partitions this node holds data for but no longer replicates, since when it knows.
    var handoffSince: [Int: Instant] = [:]
    /// The partition the tombstone purge looks at first on its next tick (fairness).
    var nextPurgePartition = 0
    /// When an exchange last found something to repair (see `tick`).
    var lastDifferenceAt: Instant?
    /// Partitions an exchange left unsettled, to exchange first (each once; at most P).
    var differingPartitions: [Int] = []
    var differingSet: Set<Int> = []
    /// Draws exchange salts.
    var rng: SeededGenerator

    init(settings: ClusterSettings, partitionCount: Int, seed: UInt64) {
        settingsBox = Box(settings)
        exchangeRate = ByteRateLimit(bytesPerSecond: settings.antiEntropyBytesPerSecond)
        agreements = AgreementTable(partitionCount: partitionCount)
        rng = SeededGenerator(seed: StableHash.combine(seed, 0x6165))
    }

    mutating func notePartitionDiffers(_ partition: Int) {
        if differingSet.insert(partition).inserted { differingPartitions.append(partition) }
    }

    /// Starts an exchange if there is room, times out exchanges past their deadline, purges
    /// the tombstones that became stable and sends what the byte budget held back.
    mutating func tick(now: Now, store: inout Store, topology: Topology, output: inout NodeOutput) {
        guard settings.antiEntropyIntervalMilliseconds > 0 else { return }
        for key in exchanges.keys.sorted(by: { ($0.session, $0.peer) < ($1.session, $1.peer) }) {
            // A session whose message waits for the byte budget is not waiting for its peer.
            guard var session = exchanges[key], session.deadline <= now.monotonic, deferredSends[key] == nil
            else { continue }
            let directives = session.timeout(now: now.monotonic)
            exchanges[key] = session
            perform(directives, key: key, now: now, topology: topology, output: &output)
        }
        purgeStableTombstones(now: now, store: &store, topology: topology)
        exchangeRate.refill(now: now.monotonic)
        flushDeferredSends(now: now, topology: topology, output: &output)
        // While exchanges keep finding differences, a tick starts several (up to the
        // concurrency bound): repair after a partition or a stopped node goes at the pace the
        // byte budget allows, not one partition per tick. Quiet clusters start one.
        let repairing = lastDifferenceAt.map { now.monotonic.milliseconds - $0.milliseconds < 1_000 } ?? false
        let starts = repairing ? settings.antiEntropyRepairBurst : 1
        for _ in 0..<max(1, starts) {
            guard exchanges.count < settings.antiEntropyConcurrency, !topology.isAlone, deferredSends.isEmpty,
                exchangeRate.allowsSending
            else { return }
            startNextExchange(now: now, store: &store, topology: topology, output: &output)
        }
    }

    /// Starts one exchange: a handoff every other turn while there are any, else the next
    /// partition this node replicates with its next peer.
    mutating func startNextExchange(now: Now, store: inout Store, topology: Topology, output: inout NodeOutput) {
        let placement = topology.placement
        let me = topology.me
        // Partitions an exchange left unsettled (aborted, or work dropped at a bound) go first.
        while let partition = differingPartitions.first {
            differingPartitions.removeFirst()
            differingSet.remove(partition)
            let peers = placement.replicas(for: PartitionID(partition)).filter { $0 != me && topology.isReachable($0) }
            guard placement.isReplica(me, of: PartitionID(partition)), !peers.isEmpty else { continue }
            let turn = nextExchangePartition
            return startExchange(
                partition: partition, with: peers[turn % peers.count], now: now, store: store, topology: topology,
                output: &output)
        }
        let handoffs = trackHandoffs(now: now, store: &store, topology: topology)
        let turn = nextExchangePartition
        nextExchangePartition &+= 1
        // Every other exchange hands off a partition this node no longer replicates, if any
        // (when none of its replicas is reachable, the turn goes to an ordinary exchange).
        if !handoffs.isEmpty && turn % 2 == 1 {
            let partition = handoffs[(turn / 2) % handoffs.count]
            let peers = placement.replicas(for: PartitionID(partition)).filter { topology.isReachable($0) }
            if !peers.isEmpty {
                let peer = peers[(turn / 2 / handoffs.count) % peers.count]
                return startExchange(
                    partition: partition, with: peer, now: now, store: store, topology: topology, output: &output)
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
            partition: partition.index, with: peers[(turn / partitions.count + partition.index) % peers.count],
            now: now, store: store, topology: topology, output: &output)
    }

    mutating func startExchange(
        partition: Int, with peer: NodeID, now: Now, store: Store, topology: Topology, output: inout NodeOutput
    ) {
        let id = nextExchangeID
        nextExchangeID &+= 1
        var session = ExchangeSession(
            initiating: partition, id: id, salt: rng.next(), store: store, settings: settings.exchange,
            now: now.monotonic)
        let directives = session.start(store: store, now: now.monotonic)
        let key = ExchangeKey(peer: peer, session: id, initiator: true)
        exchanges[key] = session
        stats.started += 1
        perform(directives, key: key, now: now, topology: topology, output: &output)
    }

    /// A merkleRequest (to the responder) or merkleReply (to the initiator) arrived.
    mutating func handleFrame(
        _ frame: Frame, now: Now, store: inout Store, topology: Topology, output: inout NodeOutput
    ) throws(DecodeError) {
        var reader = ByteReader(frame.payload)
        let sender = NodeID(try reader.u64())
        let message = try ExchangeMessage(decoding: Array(frame.payload.dropFirst(8)))
        let toInitiator = frame.type == .merkleReply
        let key = ExchangeKey(peer: sender, session: message.session, initiator: toInitiator)
        var session: ExchangeSession
        if let existing = exchanges.removeValue(forKey: key) {
            session = existing
        } else if !toInitiator, message.sequence == 0,
            exchanges.count + deferredSends.count < 2 * settings.antiEntropyConcurrency + 8,
            let fresh = ExchangeSession(respondingTo: message, settings: settings.exchange, now: now.monotonic)
        {
            session = fresh
        } else {
            stats.ignored += 1
            return
        }
        let directives = session.receive(message, store: &store, now: now)
        exchanges[key] = session
        perform(directives, key: key, now: now, topology: topology, output: &output)
    }

    mutating func perform(
        _ directives: [ExchangeDirective], key: ExchangeKey, now: Now, topology: Topology, output: inout NodeOutput
    ) {
        for directive in directives {
            switch directive {
            case .send(let message):
                if exchangeRate.allowsSending {
                    transmit(message, key: key, topology: topology, output: &output)
                } else {
                    deferredSends[key] = message
                    stats.sendsDeferred += 1
                }
            case .finished(let sessionStats):
                if let session = exchanges.removeValue(forKey: key) {
                    if session.agreed {
                        recordAgreement(session, peer: key.peer, now: now, topology: topology)
                    } else {
                        notePartitionDiffers(session.partition)
                    }
                }
                stats.finished += 1
                stats.record(sessionStats)
                if sessionStats.objectsSent + sessionStats.objectsMerged > 0 { lastDifferenceAt = now.monotonic }
            case .aborted(_, let sessionStats):
                // Whatever it had found is still to repair: the partition goes first next time.
                if let session = exchanges[key] { notePartitionDiffers(session.partition) }
                exchanges[key] = nil
                deferredSends[key] = nil
                stats.aborted += 1
                stats.record(sessionStats)
            }
        }
    }

    func exchangeFrame(_ message: ExchangeMessage) -> [UInt8] {
        var writer = ByteWriter(capacity: 8 + message.encodedByteCount)
        writer.u64(settings.nodeID.rawValue)
        message.encode(into: &writer)
        return writer.takeBytes()
    }

    mutating func transmit(_ message: ExchangeMessage, key: ExchangeKey, topology: Topology, output: inout NodeOutput) {
        guard let address = topology.address(of: key.peer) else { return }
        let payload = exchangeFrame(message)
        exchangeRate.take(payload.count)
        stats.bytesTransmitted += payload.count
        output.effects.append(
            .send(type: key.initiator ? .merkleRequest : .merkleReply, payload: payload, to: address, channel: .stream))
    }

    /// Sends held-back messages, oldest session first, while the budget allows; each session
    /// waits for its peer's answer from the moment its message actually leaves.
    mutating func flushDeferredSends(now: Now, topology: Topology, output: inout NodeOutput) {
        guard !deferredSends.isEmpty else { return }
        let keys = deferredSends.keys.sorted { ($0.session, $0.peer) < ($1.session, $1.peer) }
        for key in keys {
            guard exchangeRate.allowsSending else { return }
            guard let message = deferredSends.removeValue(forKey: key) else { continue }
            transmit(message, key: key, topology: topology, output: &output)
            let deadline = now.monotonic.adding(milliseconds: settings.exchange.replyTimeoutMilliseconds)
            exchanges[key]?.deadline = deadline
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
