import RESP

/// FLUSHALL/FLUSHDB, OBJECT and MEMORY: commands about this node's stored values.
extension Store {
    mutating func flush(_ a: Arguments, _ r: inout ReplyBuffer) {
        guard a.count == 1 || (a.count == 2 && (a.matches(1, "ASYNC") || a.matches(1, "SYNC"))) else {
            return r.error(ErrorText.syntax)
        }
        keyspace.removeAll()
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
        guard let box = keyspace.find(KeyRef(a[2]), now: now) else { return r.null() }
        if a.matches(1, "ENCODING") {
            let isInt = box.valueCount <= 20 && box.withValue { Arguments.parseInt64($0) } != nil
            r.bulk(isInt ? "int" : box.valueCount <= 44 ? "embstr" : "raw")
        } else if a.matches(1, "REFCOUNT") {
            r.integer(1)
        } else if a.matches(1, "IDLETIME") {
            // Access times are not tracked (no LRU eviction): every key reports 0.
            r.integer(0)
        } else if a.matches(1, "FREQ") {
            r.error(
                "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note that when switching between policies at runtime LRU and LFU data will take some time to adjust."
            )
        } else {
            r.error(ErrorText.unknownSubcommand(a.string(1), "OBJECT"))
        }
    }

    mutating func memory(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        if a.matches(1, "USAGE") {
            guard a.count == 3 || (a.count == 5 && a.matches(3, "SAMPLES")) else { return r.error(ErrorText.syntax) }
            guard let box = keyspace.find(KeyRef(a[2]), now: now) else { return r.null() }
            r.integer(box.footprint)
        } else {
            r.error(ErrorText.unknownSubcommand(a.string(1), "MEMORY"))
        }
    }
}
