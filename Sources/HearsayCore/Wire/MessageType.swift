/// The registry of peer message type numbers.
///
/// ONLY APPEND TO THIS LIST! The numeric values are part of the protocol
/// itself (as in hashicorp/memberlist net.go): a number, once shipped, keeps
/// its meaning forever, and a retired message keeps its number unused.
/// 0 is never a message, so a zeroed buffer cannot pass as one.
public struct MessageType: Hashable, Sendable, CustomStringConvertible {
    public let rawValue: UInt8
    @inlinable public init(rawValue: UInt8) { self.rawValue = rawValue }

    // Membership (SWIM).
    public static let ping = MessageType(rawValue: 1)
    public static let indirectPing = MessageType(rawValue: 2)
    public static let ack = MessageType(rawValue: 3)
    public static let nack = MessageType(rawValue: 4)
    public static let pushPull = MessageType(rawValue: 5)
    // Replication.
    public static let replicaWrite = MessageType(rawValue: 6)
    public static let replicaWriteAck = MessageType(rawValue: 7)
    public static let replicaRead = MessageType(rawValue: 8)
    public static let replicaReadReply = MessageType(rawValue: 9)
    public static let hintReplay = MessageType(rawValue: 10)
    public static let hintReplayAck = MessageType(rawValue: 11)
    // Anti-entropy and handoff.
    public static let merkleRequest = MessageType(rawValue: 12)
    public static let merkleReply = MessageType(rawValue: 13)
    public static let objectBatch = MessageType(rawValue: 14)
    public static let objectBatchAck = MessageType(rawValue: 15)
    // Connection set-up: which node and which cluster is on the other end.
    public static let hello = MessageType(rawValue: 16)
    // Membership: a graceful leave announcement.
    public static let leave = MessageType(rawValue: 17)
    // Replication: a client request handed to a replica of its key, and the reply.
    public static let forwardRequest = MessageType(rawValue: 18)
    public static let forwardReply = MessageType(rawValue: 19)
    // Append new types here, with the next number.

    /// The highest number this build understands; a decoder refuses anything above it.
    public static let highestKnown: UInt8 = 19

    public var isKnown: Bool { rawValue >= 1 && rawValue <= MessageType.highestKnown }

    public var description: String {
        let names = [
            "invalid", "ping", "indirectPing", "ack", "nack", "pushPull", "replicaWrite",
            "replicaWriteAck", "replicaRead", "replicaReadReply", "hintReplay", "hintReplayAck",
            "merkleRequest", "merkleReply", "objectBatch", "objectBatchAck", "hello", "leave",
            "forwardRequest", "forwardReply",
        ]
        return Int(rawValue) < names.count ? names[Int(rawValue)] : "unknown(\(rawValue))"
    }
}
