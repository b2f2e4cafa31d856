/// Keeps a connection's writes to one key in order when some go as checked writes.
///
/// A pre-read write (DEL, INCR, SET NX ...) runs only when its replicas answer, while a
/// checked SET runs at once: a SET pipelined behind a pending DEL of the same key would
/// otherwise run first and then be deleted. So a SET takes the checked path only while no
/// pre-read of its key is in flight here; behind one it takes the pre-read path too, whose
/// answers arrive after the earlier ones on every link. Pre-reads are counted in a small
/// table by key hash: a collision only sends a SET down the slower path, never out of order.
/// Checked writes need no such guard among themselves: each runs in arrival order, and one
/// made again on a merge is made only while it is still this node's latest write of the key
/// (`Node+CheckedWrite`).
extension Node {
    private static func preReadSlot(_ keyHash: UInt64) -> Int { Int(truncatingIfNeeded: keyHash >> 54) }

    /// Mutating only so that `cluster!` is read in place (see `quorums`): a non-mutating
    /// method copied the whole cluster state on every write it checked.
    mutating func preReadInFlight(_ keyHash: UInt64) -> Bool {
        cluster.preReadsInFlight[Node.preReadSlot(keyHash)] > 0
    }

    mutating func notePreReadStarted(_ keyHash: UInt64) {
        let slot = Node.preReadSlot(keyHash)
        cluster.preReadsInFlight[slot] = cluster.preReadsInFlight[slot] &+ 1
    }

    mutating func notePreReadEnded(_ keyHash: UInt64) {
        let slot = Node.preReadSlot(keyHash)
        // Every end matches a start; tests (debug builds) check it, a release node never traps on it.
        assert(cluster.preReadsInFlight[slot] > 0, "pre-read count underflow")
        if cluster.preReadsInFlight[slot] > 0 { cluster.preReadsInFlight[slot] -= 1 }
    }
}
