/// Replaying hints: each is offered to its owner when the owner is seen alive and every
/// replication tick while it stays reachable, resent if unacknowledged, and deleted when the
/// owner acknowledges it (`acknowledge`).
extension HintStore {
    /// Marks the request id of a hint's replay, so the owner's acknowledgement finds the hint.
    static let replayBit: UInt64 = 1 << 63

    /// Offers the hints held for `owner` to it, at most `settings.hintReplayBatch`.
    mutating func replay(
        to owner: NodeID, now: Now, settings: ClusterSettings, topology: Topology, output: inout NodeOutput
    ) {
        guard topology.isReachable(owner) else { return }
        let due = due(
            for: owner, now: now.monotonic, resendAfterMilliseconds: settings.requestTimeoutMilliseconds,
            limit: settings.hintReplayBatch)
        for hint in due {
            output.peers.addWrite(
                to: owner,
                ReplicationMessages.Write(
                    requestID: hint.id | HintStore.replayBit, key: hint.key, object: hint.object.encoded, hintFor: nil))
        }
    }

    /// The periodic chores: drop hints past their age, offer the others to owners that answer.
    mutating func tick(now: Now, settings: ClusterSettings, topology: Topology, output: inout NodeOutput) {
        expire(now: now.monotonic)
        for owner in ownersWithHints {
            replay(to: owner, now: now, settings: settings, topology: topology, output: &output)
        }
    }
}
