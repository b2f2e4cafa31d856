/// Replication messages gathered during one batch of client requests, per peer, so that
/// everything a coordinator sends one peer leaves in one frame per message type.
struct PeerOutbox {
    var writes: [NodeID: [ReplicationMessages.Write]] = [:]
    var acks: [NodeID: [ReplicationMessages.Ack]] = [:]
    var reads: [NodeID: [ReplicationMessages.Read]] = [:]
    var readReplies: [NodeID: [ReplicationMessages.ReadReply]] = [:]
    var forwards: [NodeID: [ReplicationMessages.Forward]] = [:]
    var forwardReplies: [NodeID: [ReplicationMessages.ForwardReply]] = [:]

    var isEmpty: Bool {
        writes.isEmpty && acks.isEmpty && reads.isEmpty && readReplies.isEmpty && forwards.isEmpty
            && forwardReplies.isEmpty
    }

    /// Encodes every batch as one frame per (peer, type), peers in id order, and empties the box.
    mutating func flush(sender: NodeID, address: (NodeID) -> String?, into effects: inout [NodeEffect]) {
        typealias M = ReplicationMessages
        func emit<T>(_ box: inout [NodeID: [T]], _ type: MessageType, _ encode: (T, inout ByteWriter) -> Void) {
            for peer in box.keys.sorted() {
                guard let items = box[peer], let to = address(peer) else { continue }
                effects.append(
                    .send(
                        type: type, payload: M.encodeBatch(sender: sender, items, encode), to: to,
                        channel: .stream))
            }
            box.removeAll(keepingCapacity: true)
        }
        emit(&forwards, .forwardRequest, M.encode)
        emit(&writes, .replicaWrite, M.encode)
        emit(&reads, .replicaRead, M.encode)
        emit(&acks, .replicaWriteAck, M.encode)
        emit(&readReplies, .replicaReadReply, M.encode)
        emit(&forwardReplies, .forwardReply, M.encode)
    }
}

/// Coordinator counters for HS.STATS.
public struct ReplicationStats: Sendable {
    public var coordinated = 0
    public var forwarded = 0
    public var quorumFailures = 0
    public var forwardTimeouts = 0
    public var readRepairs = 0
    public var replicaWritesApplied = 0
    public var hintsStored = 0
    public var malformedMessages = 0
    /// Coordinator latencies in microseconds (a bounded ring of the most recent samples).
    var latencies: [Int64] = []
    var latencyCursor = 0
    static let latencySamples = 4096

    mutating func recordLatency(_ microseconds: Int64) {
        if latencies.count < ReplicationStats.latencySamples {
            latencies.append(microseconds)
        } else {
            latencies[latencyCursor] = microseconds
            latencyCursor = (latencyCursor + 1) % ReplicationStats.latencySamples
        }
    }

    /// p50, p99 and max of the recorded latencies in microseconds.
    public var latencyPercentiles: (p50: Int64, p99: Int64, max: Int64) {
        guard !latencies.isEmpty else { return (0, 0, 0) }
        let sorted = latencies.sorted()
        return (sorted[sorted.count / 2], sorted[min(sorted.count - 1, sorted.count * 99 / 100)], sorted.last!)
    }
}
