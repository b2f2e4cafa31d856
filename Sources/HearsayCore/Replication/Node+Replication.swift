/// Where replication frames meet the machines: replica traffic goes to `Replica`, answers to
/// the `Coordinator`, acknowledgements of replayed hints to the `HintStore`.
extension Node {
    typealias M = ReplicationMessages

    mutating func handleReplicationFrame(_ frame: Frame, now: Now) throws(DecodeError) {
        switch frame.type {
        case .replicaWrite:
            try replica.applyWrites(frame.payload, now: now, store: &store, hints: &hints, output: &output)
        case .replicaRead:
            try replica.answerReads(frame.payload, now: now, store: &store, hints: hints, output: &output)
        case .replicaWriteAck:
            let (sender, acks) = try M.decodeBatch(frame.payload, minimumItemSize: 2, M.decodeAck)
            for ack in acks {
                switch ack.acknowledges {
                case .write(let requestID):
                    coordinator.acknowledged(requestID, by: sender, now: now, output: &output)
                case .checkedWrite(let requestID, let matched, let copy):
                    coordinator.checkedWriteAnswered(
                        requestID, by: sender, matched: matched, copy: copy, now: now, store: &store, hints: &hints,
                        topology: &topology, output: &output)
                case .hintReplay(let id):
                    hints.acknowledge(owner: sender, id: id)
                }
            }
        case .replicaReadReply:
            let (sender, replies) = try M.decodeBatch(frame.payload, minimumItemSize: 2, M.decodeReadReply)
            for reply in replies {
                let copy: ReadCopy =
                    reply.same
                    ? .same
                    : .object(
                        reply.object.isEmpty ? nil : try StoredObject(decoding: reply.object), marker: reply.marker)
                coordinator.readAnswered(
                    reply.requestID, by: sender, copy, now: now, store: &store, hints: &hints, topology: &topology,
                    output: &output)
            }
        case .forwardRequest:
            let (sender, forwards) = try M.decodeBatch(frame.payload, minimumItemSize: 7, M.decodeForward)
            for forward in forwards {
                coordinator.runForwarded(
                    forward, from: sender, now: now, store: &store, hints: &hints, topology: &topology, output: &output)
            }
        case .forwardReply:
            let (_, replies) = try M.decodeBatch(frame.payload, minimumItemSize: 2, M.decodeForwardReply)
            for reply in replies {
                coordinator.forwardAnswered(reply.requestID, reply: reply.reply, now: now, output: &output)
            }
        default:
            throw .malformed("not a replication frame: \(frame.type)")
        }
    }
}
