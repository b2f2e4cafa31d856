import RESP

/// FLUSHALL/FLUSHDB, OBJECT and MEMORY: commands about this node's stored values.
extension Store {
    /// FLUSHALL (`database` nil), or FLUSHDB of one database: the whole keyspace at once when
    /// it holds nothing else.
    mutating func flush(_ a: Arguments, database: Int?, _ r: inout ReplyBuffer) {
        guard a.count == 1 || (a.count == 2 && (a.matches(1, "ASYNC") || a.matches(1, "SYNC"))) else {
            return r.error(ErrorText.syntax)
        }
        if let database, !(keyspace.holdsOnlyPlainKeys && database == 0) {
            var doomed: [EntryBox] = []
            for p in 0..<keyspace.partitionCount {
                keyspace.forEachEntry(inPartition: p) { box in
                    if box.withKey({ Databases.split($0).db }) == database { doomed.append(box) }
                }
            }
            for box in doomed { keyspace.remove(box) }
        } else {
            keyspace.removeAll()
        }
        evictor.clearPool()
        r.ok()
    }

    mutating func object(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        if a.matches(1, "HELP") {
            let lines = [
                "OBJECT <subcommand> [<arg> ...]. Subcommands are:", "ENCODING <key>", "FREQ <key>",
                "IDLETIME <key>", "REFCOUNT <key>",
            ]
            r.arrayHeader(lines.count)
            for l in lines { r.simple(l) }
            return
        }
        guard a.count == 3 else { return r.error(ErrorText.unknownSubcommand(a.string(1), "OBJECT")) }
        guard let box = keyspace.find(KeyRef(a[2]), now: now, touching: false) else { return r.null() }
        if a.matches(1, "ENCODING") {
            let isInt = box.valueCount <= 20 && box.withValue { Arguments.parseInt64($0) } != nil
            r.bulk(isInt ? "int" : box.valueCount <= 44 ? "embstr" : "raw")
        } else if a.matches(1, "REFCOUNT") {
            r.integer(1)
        } else if a.matches(1, "IDLETIME") {
            guard keyspace.accessTracking.mode == .recency else {
                return r.error(
                    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
                )
            }
            r.integer(AccessClock.idleMilliseconds(box.header.access, now: now.monotonic) / 1000)
        } else if a.matches(1, "FREQ") {
            guard keyspace.accessTracking.mode == .frequency else {
                return r.error(
                    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
                )
            }
            r.integer(Int64(AccessClock.decayedCounter(box.header.access, keyspace.accessTracking, now: now.monotonic)))
        } else {
            r.error(ErrorText.unknownSubcommand(a.string(1), "OBJECT"))
        }
    }

    mutating func memory(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        if a.matches(1, "USAGE") {
            guard a.count == 3 || (a.count == 5 && a.matches(3, "SAMPLES")) else { return r.error(ErrorText.syntax) }
            guard let box = keyspace.find(KeyRef(a[2]), now: now, touching: false) else { return r.null() }
            r.integer(box.footprint)
        } else {
            r.error(ErrorText.unknownSubcommand(a.string(1), "MEMORY"))
        }
    }
}
