/// Redis parameters that clients and tools set (encoding thresholds, Lua and slow-log limits,
/// persistence and networking knobs) but that change nothing in Hearsay: CONFIG GET shows
/// them and CONFIG SET stores them, checked as Redis checks their kind, instead of failing the
/// client that set them. The README lists them.
public enum InertConfig {
    public enum Kind: Sendable {
        case integer
        case yesNo
        case text
    }

    public static let defaults: [(name: String, value: String, kind: Kind)] = [
        ("hash-max-listpack-entries", "128", .integer), ("hash-max-listpack-value", "64", .integer),
        ("hash-max-ziplist-entries", "128", .integer), ("hash-max-ziplist-value", "64", .integer),
        ("set-max-intset-entries", "512", .integer), ("set-max-listpack-entries", "128", .integer),
        ("set-max-listpack-value", "64", .integer), ("zset-max-listpack-entries", "128", .integer),
        ("zset-max-listpack-value", "64", .integer), ("zset-max-ziplist-entries", "128", .integer),
        ("zset-max-ziplist-value", "64", .integer), ("list-max-listpack-size", "-2", .integer),
        ("list-max-ziplist-size", "-2", .integer), ("list-compress-depth", "0", .integer),
        ("hll-sparse-max-bytes", "3000", .integer), ("stream-node-max-bytes", "4096", .integer),
        ("stream-node-max-entries", "100", .integer), ("lua-time-limit", "5000", .integer),
        ("busy-reply-threshold", "5000", .integer), ("slowlog-log-slower-than", "10000", .integer),
        ("slowlog-max-len", "128", .integer), ("latency-monitor-threshold", "0", .integer),
        ("tcp-keepalive", "300", .integer), ("timeout", "0", .integer), ("maxmemory-eviction-tenacity", "10", .integer),
        ("active-expire-effort", "1", .integer), ("notify-keyspace-events", "", .text),
        ("appendfsync", "everysec", .text), ("loglevel", "notice", .text),
        ("client-output-buffer-limit", "normal 0 0 0 slave 268435456 67108864 60 pubsub 33554432 8388608 60", .text),
        ("activerehashing", "yes", .yesNo), ("activedefrag", "no", .yesNo), ("lazyfree-lazy-eviction", "no", .yesNo),
        ("lazyfree-lazy-expire", "no", .yesNo), ("lazyfree-lazy-server-del", "no", .yesNo),
        ("lazyfree-lazy-user-del", "no", .yesNo), ("lazyfree-lazy-user-flush", "no", .yesNo),
        ("dynamic-hz", "yes", .yesNo), ("protected-mode", "no", .yesNo), ("stop-writes-on-bgsave-error", "yes", .yesNo),
    ]

    /// The error CONFIG SET gives for `value` of `name`, as Redis words it; nil if it is valid.
    static func check(_ name: String, _ value: String, kind: Kind) -> String? {
        let prefix = "ERR CONFIG SET failed (possibly related to argument '\(name)') - "
        switch kind {
        case .integer: return Int(value) == nil ? prefix + "argument couldn't be parsed into an integer" : nil
        case .yesNo:
            return ["yes", "no"].contains(value.lowercased()) ? nil : prefix + "argument must be 'yes' or 'no'"
        case .text: return nil
        }
    }
}
