import RESP

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
        /// Applied here; waiting for `needed` acknowledgements from the nodes asked. `reply` is
        /// sent on success.
        case write(needed: Int, asked: AskedNodes, reply: Reply, quorum: Int)
        /// Waiting for replica copies, then the command runs here on the merge.
        case read(PendingRead)
        /// A write at W >= 2 (other than a checked write) first gathers `needed` other owners'
        /// copies, so that it sees every write acknowledged before it (W + W > N); then it
        /// runs as `.write`.
        case preRead(PendingRead)
        /// A plain SET at W >= 2 sent as checked writes: done when `needed` owners report that
        /// their copy matched ours before the merge (see `Coordinator+CheckedWrite`).
        case checkedWrite(CheckedWrite)
        /// Waiting for every part.
        case multi(parts: [Reply?], combine: Combine, protocolVersion: Int)
    }

    var sink: ReplySink
    var kind: Kind
    var deadline: Instant
    var started: Instant

    /// Moves the kind out, leaving `.forwarded`: a read's or checked write's state is then
    /// owned by the caller instead of copied (a copy and two destroys showed in profiles).
    mutating func takeKind() -> Kind {
        var taken = Kind.forwarded
        swap(&taken, &kind)
        return taken
    }
}

/// A replica's answer to a read.
enum ReadCopy {
    /// Its copy had the digest the read carried: the coordinator's own copy when it asked.
    case same
    /// Its copy (nil when it holds none); `marker` when the copy is an eviction's tombstone.
    case object(StoredObject?, marker: Bool)

    var isSame: Bool {
        if case .same = self { true } else { false }
    }
}

/// The progress of a read or pre-read (`PendingRequest.Kind.read`, `.preRead`).
struct PendingRead {
    /// Copies that complete it (R - 1 or W - 1).
    var needed: Int
    var arguments: StoredArguments
    var protocolVersion: Int
    /// The owners asked so far (a copy from any other node is ignored).
    var asked: AskedNodes
    /// The copies so far, by replica.
    var copies: [(NodeID, ReadCopy)] = []
    var quorum: Int
    /// The digest this node's copy had when it asked (what a `same` reply means).
    var basis: UInt64
    /// The key's StableHash (a pre-read is counted under it until it completes).
    var keyHash: UInt64 = 0
    /// Set while owners of this partition remain that a read did not ask (it asks R - 1 of
    /// them first); after a tenth of the request timeout the rest are asked too (see
    /// `askRemainingOwners`).
    var unaskedIn: PartitionID? = nil
}

/// The progress of a checked write (`PendingRequest.Kind.checkedWrite`).
struct CheckedWrite {
    /// Owners whose match completes the write (W - 1).
    var needed: Int
    /// The nodes the write went to (an answer from any other node is ignored).
    var asked: AskedNodes
    var matched = 0
    /// Copies of owners that differed, encoded, merged before the write is made again.
    var differed: [[UInt8]] = []
    var arguments: StoredArguments
    var protocolVersion: Int
    var reply: Reply
    var quorum: Int
    /// The counter of the dot the write minted here (the node's own writer).
    var dotCounter: UInt64
}
