import RESP

/// Server commands: FLUSHALL/FLUSHDB, TIME, CONFIG, FUNCTION, OBJECT, MEMORY, DEBUG.
extension Node {

    func time(_ now: Now, _ r: inout ReplyBuffer) {
        r.arrayHeader(2)
        r.bulk(String(now.wall.nanoseconds / 1_000_000_000))
        r.bulk(String((now.wall.nanoseconds % 1_000_000_000) / 1000))
    }

    /// The settings CONFIG GET shows, in a fixed order.
    func configValues() -> [(String, String)] {
        [
            ("bind", runtime.bindAddress), ("port", String(runtime.tcpPort)),
            ("cluster-port", String(runtime.clusterPort)), ("maxclients", String(runtime.maxClients)),
            ("maxmemory", String(settings.maxMemoryBytes)), ("maxmemory-policy", settings.evictionPolicy.name),
            ("maxmemory-samples", String(settings.evictionSamples)), ("lfu-log-factor", String(settings.lfuLogFactor)),
            ("lfu-decay-time", String(settings.lfuDecayMinutes)),
            ("requirepass", settings.requirePassword ?? ""), ("databases", String(Databases.count)), ("save", ""),
            ("appendonly", "no"), ("hz", String(1000 / max(1, settings.activeExpiryIntervalMilliseconds))),
            ("cluster-enabled", "no"), ("proto-max-bulk-len", "536870912"),
        ] + InertConfig.defaults.map { ($0.name, inertConfig[$0.name] ?? $0.value) }
    }

    mutating func config(_ a: Arguments, _ r: inout ReplyBuffer) {
        if a.matches(1, "GET") {
            guard a.count >= 3 else { return r.error(ErrorText.wrongArity("config|get")) }
            var matched: [(String, String)] = []
            for (name, value) in configValues() {
                var n = name
                let hit = n.withUTF8 { nameBytes in
                    (2..<a.count).contains {
                        GlobPattern.matches(a[$0], UnsafeRawBufferPointer(nameBytes), caseInsensitive: true)
                    }
                }
                if hit { matched.append((name, value)) }
            }
            r.mapHeader(matched.count)
            for (name, value) in matched {
                r.bulk(name)
                r.bulk(value)
            }
        } else if a.matches(1, "SET") {
            guard a.count >= 4, a.count % 2 == 0 else { return r.error(ErrorText.wrongArity("config|set")) }
            for i in stride(from: 2, to: a.count, by: 2) {
                if let error = configSet(a.string(i).lowercased(), a.string(i + 1)) { return r.error(error) }
            }
            r.ok()
        } else if a.matches(1, "RESETSTAT"), a.count == 2 {
            store.stats = NodeStats()
            r.ok()
        } else if a.matches(1, "REWRITE"), a.count == 2 {
            r.error("ERR The server is running without a config file")
        } else {
            r.error(ErrorText.unknownSubcommand(a.string(1), "CONFIG"))
        }
    }

    /// Applies one CONFIG SET pair; nil on success, else the error text.
    mutating func configSet(_ name: String, _ value: String) -> String? {
        let invalid =
            "ERR CONFIG SET failed (possibly related to argument '\(name)') - argument couldn't be parsed into an integer"
        switch name {
        case "maxmemory":
            guard let bytes = MemorySize.parse(value) else {
                return "ERR CONFIG SET failed (possibly related to argument '\(name)') - "
                    + "argument must be a memory value"
            }
            store.settings.maxMemoryBytes = bytes
            store.applyEvictionSettings()
        case "maxmemory-policy":
            guard let policy = EvictionPolicy(name: value) else {
                return "ERR CONFIG SET failed (possibly related to argument '\(name)') - argument(s) must be one of "
                    + "the following: volatile-lru, volatile-lfu, volatile-random, volatile-ttl, allkeys-lru, "
                    + "allkeys-lfu, allkeys-random, noeviction"
            }
            store.settings.evictionPolicy = policy
            store.applyEvictionSettings()
        case "maxmemory-samples", "lfu-log-factor", "lfu-decay-time":
            guard let n = Int(value) else { return invalid }
            // Redis's ranges; the evictor reads at most 64 samples a round.
            let range = name == "maxmemory-samples" ? 1...Int(Int32.max) : 0...Int(Int32.max)
            guard range.contains(n) else {
                return "ERR CONFIG SET failed (possibly related to argument '\(name)') - argument must be between "
                    + "\(range.lowerBound) and \(range.upperBound) inclusive"
            }
            switch name {
            case "maxmemory-samples": store.settings.evictionSamples = n
            case "lfu-log-factor": store.settings.lfuLogFactor = n
            default: store.settings.lfuDecayMinutes = n
            }
            store.applyEvictionSettings()
        case "maxclients":
            guard let n = Int(value), n > 0 else { return invalid }
            runtime.maxClients = n
        case "requirepass":
            store.settings.requirePassword = value.isEmpty ? nil : value
        case "save" where value.isEmpty, "appendonly" where value == "no":
            break  // already what Hearsay does
        default:
            if let inert = InertConfig.defaults.first(where: { $0.name == name }) {
                if let error = InertConfig.check(name, value, kind: inert.kind) { return error }
                inertConfig[name] = inert.kind == .yesNo ? value.lowercased() : value
                return nil
            }
            return "ERR Unknown option or number of arguments for CONFIG SET - '\(name)'"
        }
        return nil
    }

    func function(_ a: Arguments, _ r: inout ReplyBuffer) {
        if a.matches(1, "FLUSH") {
            guard a.count == 2 || (a.count == 3 && (a.matches(2, "ASYNC") || a.matches(2, "SYNC"))) else {
                return r.error(ErrorText.syntax)
            }
            r.ok()
        } else if a.matches(1, "LIST") {
            r.arrayHeader(0)
        } else {
            r.error("ERR Hearsay has no functions or scripting: FUNCTION \(a.string(1).uppercased()) is not supported")
        }
    }

    func debug(_ a: Arguments, _ r: inout ReplyBuffer) {
        r.error("ERR DEBUG \(a.string(1).uppercased()) is not supported by Hearsay")
    }
}

public enum MemorySize {
    /// "100", "100b", "64kb", "10mb", "2gb", "1k", "1m", "1g" (k = 1000, kb = 1024), as redis.conf reads them.
    public static func parse(_ text: String) -> Int? {
        let t = text.lowercased()
        let units: [(String, Int)] = [
            ("gb", 1 << 30), ("mb", 1 << 20), ("kb", 1 << 10), ("g", 1_000_000_000),
            ("m", 1_000_000), ("k", 1000), ("b", 1),
        ]
        for (suffix, factor) in units where t.hasSuffix(suffix) {
            guard let n = Int(t.dropLast(suffix.count)), n >= 0 else { return nil }
            let (v, o) = n.multipliedReportingOverflow(by: factor)
            return o ? nil : v
        }
        guard let n = Int(t), n >= 0 else { return nil }
        return n
    }
}
