/// Where a coordinated request's reply goes when it completes.
enum ReplySink: Equatable {
    /// A client of this node; the driver delivers it in order.
    case client(id: UInt64, ticket: UInt64)
    /// A peer that forwarded the request here.
    case peer(NodeID, requestID: UInt64)
    /// One part of a multi-key request (MGET, MSET, DEL, EXISTS across partitions).
    case part(parent: UInt64, index: Int)
}

/// How the parts of a fanned-out multi-key request combine into one reply.
enum Combine: Equatable {
    /// MGET: an array of the parts' replies (an error part shows as nil, as Redis does).
    case array
    /// MSET: OK if every part said OK, else the first error.
    case allOK
    /// DEL, UNLINK, EXISTS: the sum of the parts' integers.
    case sum
    /// MSETNX across partitions: 1 if every part set its key (see README: not atomic).
    case allOne
}

/// A request this node coordinates and is waiting on.
struct PendingRequest {
    enum Kind {
        /// Handed to a replica of the key; waiting for its reply.
        case forwarded
        /// Applied here; waiting for `needed` more acknowledgements. `reply` is sent on success.
        case write(needed: Int, acked: Int, asked: Int, reply: [UInt8], quorum: Int)
        /// Waiting for `needed` more replica copies, then the command runs here on the merge.
        case read(
            needed: Int, answered: Int, asked: Int, key: [UInt8], arguments: [[UInt8]],
            protocolVersion: Int, copies: [(NodeID, StoredObject?)], quorum: Int)
        /// A write at W >= 2 first gathers `needed` other owners' copies, so that it sees every
        /// write acknowledged before it (W + W > N); then it runs as `.write`.
        case preRead(
            needed: Int, answered: Int, key: [UInt8], arguments: [[UInt8]], protocolVersion: Int,
            copies: [StoredObject?], quorum: Int)
        /// Waiting for every part.
        case multi(parts: [[UInt8]?], combine: Combine, protocolVersion: Int)
    }

    var sink: ReplySink
    var kind: Kind
    var deadline: Instant
    var started: Instant
}
