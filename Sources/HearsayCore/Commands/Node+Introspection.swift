import RESP

/// COMMAND and INFO: what clients and tools read about the server.
extension Node {
    /// COMMAND GETKEYS: the key arguments of a full command line, by the command table's key
    /// positions, with Redis's errors (it wants the command and at least one argument).
    func commandGetKeys(_ a: Arguments, _ r: inout ReplyBuffer) {
        guard a.count >= 4 else { return r.error(ErrorText.wrongArity("command|getkeys")) }
        guard let id = CommandTable.lookupID(a[2]) else { return r.error("ERR Invalid command specified") }
        let (first, last, step) = CommandTable.keyPositions[Int(id.rawValue)]
        guard first > 0 else { return r.error("ERR The command has no key arguments") }
        let arity = CommandTable.arity[Int(id.rawValue)]
        let count = a.count - 2
        guard arity > 0 ? count == arity : count >= -arity else {
            return r.error("ERR Invalid number of arguments specified for command")
        }
        let end = last < 0 ? count + last : last
        let positions = Array(stride(from: first, through: end, by: max(1, step)))
        r.arrayHeader(positions.count)
        for position in positions { r.bulk(a[2 + position]) }
    }

    func command(_ a: Arguments, _ r: inout ReplyBuffer) {
        if a.count == 1 {
            r.arrayHeader(CommandTable.all.count)
            for spec in CommandTable.all { commandInfo(spec, &r) }
            return
        }
        if a.matches(1, "COUNT") {
            r.integer(CommandTable.all.count)
        } else if a.matches(1, "LIST") {
            r.arrayHeader(CommandTable.all.count)
            for spec in CommandTable.all { r.bulk(spec.nameString) }
        } else if a.matches(1, "INFO") {
            let specs: [CommandSpec?] =
                a.count == 2 ? CommandTable.all : (2..<a.count).map { CommandTable.lookup(a[$0]) }
            r.arrayHeader(specs.count)
            for spec in specs {
                if let spec { commandInfo(spec, &r) } else { r.null() }  // Redis: $-1, not *-1
            }
        } else if a.matches(1, "DOCS") {
            let specs = a.count == 2 ? CommandTable.all : (2..<a.count).compactMap { CommandTable.lookup(a[$0]) }
            r.mapHeader(specs.count)
            for spec in specs {
                r.bulk(spec.nameString)
                r.mapHeader(3)
                r.bulk("summary")
                r.bulk(spec.summary.description)
                r.bulk("since")
                r.bulk(spec.since.description)
                r.bulk("group")
                r.bulk(spec.group.description)
            }
        } else if a.matches(1, "GETKEYS") {
            commandGetKeys(a, &r)
        } else if a.matches(1, "HELP") {
            let lines = [
                "COMMAND <subcommand> [<arg> ...]. Subcommands are:", "(no subcommand)", "COUNT",
                "DOCS [<command-name> ...]", "GETKEYS <full-command>",
                "INFO [<command-name> ...]", "LIST",
            ]
            r.arrayHeader(lines.count)
            for l in lines { r.simple(l) }
        } else {
            r.error(ErrorText.unknownSubcommand(a.string(1), "COMMAND"))
        }
    }

    /// One COMMAND INFO entry in Redis 7's ten-field layout.
    func commandInfo(_ spec: CommandSpec, _ r: inout ReplyBuffer) {
        r.arrayHeader(10)
        r.bulk(spec.nameString)
        r.integer(spec.arity)
        r.setHeader(spec.flags.count)
        for f in spec.flags { r.simple(f) }
        r.integer(spec.firstKey)
        r.integer(spec.lastKey)
        r.integer(spec.step)
        r.setHeader(1)
        r.simple("@" + spec.group.description)
        r.setHeader(0)
        r.arrayHeader(0)
        r.arrayHeader(0)
    }

    func info(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        var wanted: Set<String> = []
        for i in 1..<max(1, a.count) { wanted.insert(a.string(i).lowercased()) }
        let defaults: [String] = ["server", "clients", "memory", "stats", "cluster", "keyspace"]
        let everything = wanted.contains("all") || wanted.contains("everything")
        let sections =
            wanted.isEmpty || wanted.contains("default") || everything
            ? defaults : defaults.filter { wanted.contains($0) }
        var text = ""
        for section in sections {
            if !text.isEmpty { text += "\r\n" }
            text += infoSection(section, now)
        }
        r.verbatim(text)
    }

    func infoSection(_ name: String, _ now: Now) -> String {
        var lines: [String] = []
        func add(_ key: String, _ value: CustomStringConvertible) { lines.append("\(key):\(value)") }
        switch name {
        case "server":
            lines.append("# Server")
            let uptime = max(0, (now.monotonic.nanoseconds - runtime.startedAt.nanoseconds) / 1_000_000_000)
            add("redis_version", Node.serverVersion)
            add("hearsay_version", Node.hearsayVersion)
            add("redis_mode", "standalone")
            add("os", "Linux")
            add("arch_bits", 64)
            add("multiplexing_api", runtime.eventLoop)
            add("process_id", runtime.processID)
            add("tcp_port", runtime.tcpPort)
            add("cluster_port", runtime.clusterPort)
            add("server_time_usec", now.wall.nanoseconds / 1000)
            add("uptime_in_seconds", uptime)
            add("uptime_in_days", uptime / 86400)
            add("hz", 1000 / max(1, settings.activeExpiryIntervalMilliseconds))
            add("executable", runtime.executablePath)
            add("config_file", "")
        case "clients":
            lines.append("# Clients")
            add("connected_clients", runtime.connectedClients)
            add("blocked_clients", runtime.blockedClients)
            add("maxclients", runtime.maxClients)
        case "memory":
            lines.append("# Memory")
            add("used_memory", store.keyspace.usedBytes)
            add("used_memory_human", MemoryText.human(store.keyspace.usedBytes))
            add("used_memory_rss", runtime.residentBytes)
            add("used_memory_rss_human", MemoryText.human(runtime.residentBytes))
            add("maxmemory", settings.maxMemoryBytes)
            add("maxmemory_human", MemoryText.human(settings.maxMemoryBytes))
            add("maxmemory_policy", settings.evictionPolicy.name)
            let memory = memoryReport
            add("mem_not_counted_for_evict", memory.notCountedForEviction)
            add("mem_clients_normal", memory.clients)
            add("mem_hints", memory.hints)
            add("mem_peer_buffers", memory.peers)
            add("keys_bytes_estimate", store.keyspace.usedBytes)
        case "stats":
            lines.append("# Stats")
            add("total_connections_received", runtime.totalConnectionsReceived)
            add("total_commands_processed", store.stats.commandsProcessed)
            add("total_net_input_bytes", runtime.inputBytes)
            add("total_net_output_bytes", runtime.outputBytes)
            add("rejected_connections", runtime.rejectedConnections)
            add("expired_keys", store.keyspace.expiredCount)
            add("evicted_keys", store.evictor.evictedKeys)
            add("keyspace_hits", store.stats.keyspaceHits)
            add("keyspace_misses", store.stats.keyspaceMisses)
            add("total_error_replies", store.stats.errorReplies)
            add("protocol_errors", store.stats.protocolErrors)
        case "cluster":
            lines.append("# Cluster")
            do {
                let view = cluster.membership.view
                // Redis Cluster's field means "CLUSTER commands and MOVED redirects": Hearsay has
                // neither (any node serves any key), and clients that read 1 there wait for
                // cluster nodes that never come. Hearsay's own clustering is in the fields below.
                add("cluster_enabled", 0)
                add("hearsay_cluster", 1)
                add("node_id", cluster.settings.nodeID.description)
                add("members", view.count)
                add("members_alive", view.filter { $0.status == .alive }.count)
                add("members_suspect", view.filter { $0.status == .suspect }.count)
                add("members_down", view.filter { $0.status == .down }.count)
                add("replication_factor", cluster.settings.replicationFactor)
                add("read_quorum", cluster.settings.readQuorum)
                add("write_quorum", cluster.settings.writeQuorum)
                add("hints_pending", hints.pendingCount)
                add("requests_pending", coordinator.pendingCount)
            }
            add("tombstones", store.keyspace.tombstoneCount)
        case "keyspace":
            lines.append("# Keyspace")
            for db in 0..<Databases.count {
                let (keys, expiring) = store.keyspace.count(inDatabase: db, now: now.wall)
                if keys > 0 { add("db\(db)", "keys=\(keys),expires=\(expiring),avg_ttl=0") }
                if store.keyspace.holdsOnlyPlainKeys { break }
            }
        default:
            break
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }
}

enum MemoryText {
    /// 1536 -> "1.50K", as Redis's bytesToHuman.
    static func human(_ bytes: Int) -> String {
        let units: [(Double, String)] = [(1_099_511_627_776, "T"), (1_073_741_824, "G"), (1_048_576, "M"), (1024, "K")]
        let b = Double(bytes)
        for (size, suffix) in units where b >= size {
            let scaled = (b / size * 100).rounded() / 100
            return twoDecimals(scaled) + suffix
        }
        return "\(bytes)B"
    }

    static func twoDecimals(_ v: Double) -> String {
        let cents = Int((v * 100).rounded())
        let frac = cents % 100
        return "\(cents / 100)." + (frac < 10 ? "0" : "") + "\(frac)"
    }
}
