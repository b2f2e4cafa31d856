/// The cluster side of a node: one entry point for peer frames, timers and lifecycle
/// events, translating between peer frames and the membership instance.
extension Node {
    /// Makes this node a member of the cluster `settings` describes, in place of the cluster
    /// of one it starts as. Call once, before `.start`.
    public mutating func joinCluster(_ settings: ClusterSettings) {
        precondition(!cluster.joined, "joinCluster called twice")
        cluster = ClusterState(
            settings: settings, partitionCount: self.settings.partitionCount,
            seed: self.settings.randomSeed, joined: true)
        topology = Topology(me: settings.nodeID, settings: settings, partitionCount: topology.partitionCount)
        coordinator = Coordinator(settings: settings, seed: self.settings.randomSeed)
        replica = Replica(me: settings.nodeID)
        hints = HintStore(limits: settings.hintLimits)
        antiEntropy = AntiEntropy(
            settings: settings, partitionCount: self.settings.partitionCount, seed: self.settings.randomSeed)
        // Tombstones must now wait until every replica holds them (anti-entropy purges them),
        // except while this node is the cluster's only member.
        store.keyspace.purgesTombstonesAtOnce = topology.isAlone
        store.keyspace.tombstoneGraceMilliseconds = settings.tombstoneGraceMilliseconds
        store.keyspace.markerGraceMilliseconds = settings.evictionMarkerGraceMilliseconds
    }

    /// The single entry point for everything but client requests. What it produces waits in
    /// the node's output until the driver takes it (`takeOutput`).
    public mutating func handle(_ event: NodeEvent, now: Now) {
        switch event {
        case .start:
            membershipHandle(.start(seeds: cluster.settings.seeds), now: now)
            output.effects.append(
                .setTimer(
                    .replicationTick,
                    at: now.monotonic.adding(milliseconds: cluster.settings.hintReplayIntervalMilliseconds)))
            if cluster.settings.antiEntropyIntervalMilliseconds > 0 {
                let first = now.monotonic.adding(milliseconds: cluster.settings.antiEntropyIntervalMilliseconds)
                output.effects.append(.setTimer(.antiEntropyTick, at: first))
            }
        case .frame(let frame):
            if faults.isActive, !faults.admitIncoming(frame, now: now, output: &output) { break }
            handleFrame(frame, now: now)
            // Replicas' writes and repairs grow memory without a client command of this node's.
            if store.keyspace.maxMemoryBytes > 0 { _ = makeRoom(now: now) }
        case .timerFired(.faultRelease):
            releaseHeldFrames(now: now)
        case .timerFired(.membership(let timer)):
            membershipHandle(.timerFired(timer), now: now)
        case .timerFired(.requestDeadlines):
            coordinator.sweepRequestDeadlines(now: now, topology: &topology, output: &output)
        case .timerFired(.antiEntropyTick):
            antiEntropy.tick(now: now, store: &store, topology: topology, output: &output)
            output.effects.append(
                .setTimer(
                    .antiEntropyTick,
                    at: now.monotonic.adding(milliseconds: cluster.settings.antiEntropyIntervalMilliseconds)))
        case .timerFired(.replicationTick):
            hints.tick(now: now, settings: cluster.settings, topology: topology, output: &output)
            output.effects.append(
                .setTimer(
                    .replicationTick,
                    at: now.monotonic.adding(milliseconds: cluster.settings.hintReplayIntervalMilliseconds)))
        case .leave:
            membershipHandle(.leave, now: now)
        }
    }

    /// Removes a member from this node's view (HS.FORGET).
    public mutating func forget(_ id: NodeID, now: Now) {
        membershipHandle(.forget(id), now: now)
    }

    mutating func handleFrame(_ frame: Frame, now: Now) {
        switch frame.type {
        case .ping, .indirectPing, .ack, .nack, .pushPull, .leave:
            do {
                let message = try MembershipCodec.decode(frame.payload)
                membershipHandle(.received(message), now: now)
            } catch {
                cluster.malformedFrames += 1
            }
        case .merkleRequest, .merkleReply:
            do {
                try antiEntropy.handleFrame(frame, now: now, store: &store, topology: topology, output: &output)
            } catch {
                cluster.malformedFrames += 1
            }
        case .replicaWrite, .replicaWriteAck, .replicaRead, .replicaReadReply, .forwardRequest, .forwardReply:
            do {
                try handleReplicationFrame(frame, now: now)
            } catch {
                cluster.malformedFrames += 1
            }
        default:
            // A type this release does not know is counted and dropped, never fatal.
            cluster.malformedFrames += 1
        }
    }

    mutating func membershipHandle(_ event: MembershipEvent, now: Now) {
        var produced = cluster.takeMembershipEffects()
        cluster.membership.handle(event, now: now.monotonic, into: &produced)
        defer {
            cluster.returnMembershipEffects(produced)
            topology.joined = cluster.membership.isJoined
        }
        for effect in produced {
            switch effect {
            case .send(let message, let address):
                let channel: PeerChannel = message.prefersStream ? .stream : .datagram
                output.effects.append(
                    .send(
                        type: Node.frameType(of: message), payload: MembershipCodec.encode(message),
                        to: address, channel: channel))
            case .setTimer(let timer, let at):
                output.effects.append(.setTimer(.membership(timer), at: at))
            case .changed(let change):
                topology.refresh(cluster.membership.view)
                store.keyspace.purgesTombstonesAtOnce = topology.isAlone
                output.effects.append(.membershipChanged(change))
                if change.current?.status == .alive && change.previous?.status != .alive {
                    hints.replay(
                        to: change.id, now: now, settings: cluster.settings, topology: topology, output: &output)
                }
            }
        }
    }

    static func frameType(of message: MembershipMessage) -> MessageType {
        switch message.body {
        case .ping: return .ping
        case .pingRequest: return .indirectPing
        case .ack: return .ack
        case .nack: return .nack
        case .pushPull: return .pushPull
        case .leave: return .leave
        }
    }
}
