import RESP

/// The errors a coordinator answers with itself, as values; their text becomes a RESP error
/// only when a reply is written (`Reply.error`).
enum ReplicationFailure: Equatable {
    /// Too many requests in flight here.
    case busy
    /// A key's request larger than one replica message can carry.
    case tooLarge(limit: Int)
    /// No owner of the key is reachable (to forward to).
    case noReplica
    /// Fewer replicas reachable than the quorum asks.
    case unreachable(reachable: Int, quorum: Int)
    /// Fewer replicas answered than the quorum asks, by the deadline.
    case unanswered(answered: Int, quorum: Int)
    /// The owner a request was forwarded to did not answer by the deadline.
    case forwardTimedOut
    /// Some part of a multi-key request did not complete by the deadline.
    case partsTimedOut
    /// A peer forwarded something that is not a keyed data command.
    case malformedForward
    /// A write reached a node that has not learned its cluster yet (see `Membership.isJoined`).
    case notJoined

    var text: String {
        switch self {
        case .busy: "BUSY too many requests in flight on this node"
        case .tooLarge(let limit): "ERR request too large to replicate: at most \(limit) bytes of arguments per key"
        case .noReplica: "NOREPLICA no replica of this key is reachable"
        case .unreachable(let reachable, let quorum): "NOQUORUM \(reachable) of \(quorum) replicas reachable"
        case .unanswered(let answered, let quorum): "NOQUORUM \(answered) of \(quorum) replicas answered"
        case .forwardTimedOut: "TIMEOUT the replica coordinating this key did not answer in time"
        case .partsTimedOut: "TIMEOUT"
        case .malformedForward: "ERR malformed forwarded request"
        case .notJoined: "NOQUORUM this node has not learned its cluster yet"
        }
    }

    var reply: Reply { .error(text) }
}
