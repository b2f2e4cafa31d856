/// What a node holds, split as Redis splits it: `used` is what maxmemory bounds and eviction
/// frees (keys, values, versions, tombstones); the rest is held for the cluster and for
/// connections, which eviction cannot free (Redis's `mem_not_counted_for_evict`). Each of
/// those has its own bound: hints per owner (`HintStore.Limits`, 64 MiB), a client's output
/// (`outputHardLimitBytes`, 256 MiB) and input (1 GiB query buffer), a peer's send queue
/// (`sendQueueLimitBytes`, 4 MiB), the ghosts of purged eviction markers (4,096).
public struct MemoryReport: Equatable, Sendable {
    public var used: Int
    public var hints: Int
    public var clients: Int
    public var peers: Int
    public var markerGhosts: Int

    public var notCountedForEviction: Int { hints + clients + peers + markerGhosts }
}

extension Node {
    public var memoryReport: MemoryReport {
        MemoryReport(
            used: store.keyspace.usedBytes, hints: hints.pendingBytes, clients: runtime.clientBufferBytes,
            peers: runtime.peerBufferBytes, markerGhosts: store.keyspace.markerGhostBytes)
    }
}
