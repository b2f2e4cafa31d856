import RESP

/// HS.CONSISTENCY and HS.STATS.
///   HS.CONSISTENCY                     this connection's R and W
///   HS.CONSISTENCY ONE|QUORUM|ALL      both R and W (1, N/2+1, N)
///   HS.CONSISTENCY r w                 explicit numbers, 1...N
///   HS.STATS                           coordinator, replica and hint counters, latency percentiles
extension Node {
    mutating func consistency(_ a: Arguments, _ session: inout ClientSession, _ r: inout ReplyBuffer) {
        let n = cluster.settings.replicationFactor
        if a.count == 1 {
            let (read, write) = coordinator.quorums(session, topology)
            r.arrayHeader(2)
            r.integer(read)
            r.integer(write)
            return
        }
        var read = 0
        var write = 0
        if a.count == 2 {
            if a.matches(1, "ONE") {
                read = 1
            } else if a.matches(1, "QUORUM") {
                read = n / 2 + 1
            } else if a.matches(1, "ALL") {
                read = n
            } else if a.matches(1, "DEFAULT") {
                read = 0
            } else {
                return r.error(ErrorText.syntax)
            }
            write = read
        } else if a.count == 3 {
            guard let x = a.int64(1), let y = a.int64(2), x >= 1, y >= 1, x <= Int64(n), y <= Int64(n) else {
                return r.error("ERR quorums must be integers from 1 to the replication factor (\(n))")
            }
            read = Int(x)
            write = Int(y)
        } else {
            return r.error(ErrorText.syntax)
        }
        session.readQuorum = read
        session.writeQuorum = write
        r.ok()
    }

    mutating func clusterStats(_ r: inout ReplyBuffer) {
        let s = coordinator.stats
        let latency = s.latencyPercentiles
        let owners = hints.stats.keys.sorted()
        let memory = memoryReport
        r.mapHeader(38)
        for (name, value) in [
            ("requests_coordinated", s.coordinated), ("requests_forwarded", s.forwarded),
            ("quorum_failures", s.quorumFailures), ("forward_timeouts", s.forwardTimeouts),
            ("read_repairs", s.readRepairs), ("replica_writes_applied", replica.stats.writesApplied),
            ("checked_writes_repeated", s.checkedWritesRepeated),
            ("reads_answered_same", replica.stats.readsAnsweredSame),
            ("reads_retried", s.readsRetried),
            ("hints_stored", s.hintsStored + replica.stats.hintsStored), ("hints_pending", hints.pendingCount),
            ("malformed_peer_frames", cluster.malformedFrames),
            ("replica_messages_too_large", output.peers.tooLarge),
            ("pending_requests", coordinator.pendingCount),
        ] {
            r.bulk(name)
            r.integer(value)
        }
        let ae = antiEntropy.stats
        for (name, value) in [
            ("exchanges_started", ae.started), ("exchanges_finished", ae.finished),
            ("exchanges_aborted", ae.aborted), ("exchange_objects_sent", ae.objectsSent),
            ("exchange_objects_merged", ae.objectsMerged), ("exchange_bytes_sent", ae.bytesSent),
            ("exchanges_agreed", ae.agreed), ("exchange_settled_tombstones_skipped", ae.settledSkipped),
            ("exchange_sends_deferred", ae.sendsDeferred), ("tombstones", store.keyspace.tombstoneCount),
            ("tombstones_purged", store.keyspace.purgedTombstoneCount),
            ("evicted_keys", store.evictor.evictedKeys), ("eviction_markers", store.keyspace.markerCount),
            ("eviction_markers_purged", store.keyspace.purgedMarkerCount),
            ("eviction_markers_dropped_early", store.keyspace.markersDroppedEarly),
            ("eviction_markers_revived", store.keyspace.markersRevived),
            ("evicted_keys_returned", store.keyspace.evictedKeysReturned), ("used_memory", memory.used),
            ("maxmemory", store.keyspace.maxMemoryBytes),
            ("mem_not_counted_for_evict", memory.notCountedForEviction),
        ] {
            r.bulk(name)
            r.integer(value)
        }
        r.bulk("latency_p50_us")
        r.integer(latency.p50)
        r.bulk("latency_p99_us")
        r.integer(latency.p99)
        r.bulk("latency_max_us")
        r.integer(latency.max)
        r.bulk("hints_by_owner")
        r.mapHeader(owners.count)
        for owner in owners {
            let h = hints.stats[owner]!
            r.bulk(owner.description)
            r.mapHeader(6)
            for (name, value) in [
                ("pending", h.pending), ("pending_bytes", h.pendingBytes), ("stored", h.stored),
                ("replayed", h.replayed), ("dropped_for_bounds", h.droppedForBounds),
                ("dropped_for_age", h.droppedForAge),
            ] {
                r.bulk(name)
                r.integer(value)
            }
        }
    }
}
