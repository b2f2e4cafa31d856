/// What the introspection commands (HS.DIGEST p KEYS, HS.PARTITIONS, HS.SIBLINGKEYS) say
/// about one stored entry, computed from the entry as it is stored, without applying expiry
/// (an inspection must not change the data it looks at).
enum EntrySummary {
    /// The entry's type: the visible type, "tombstone" when no write survives, or "expired"
    /// when writes survive but none is live at `now` (active or lazy expiry will turn it
    /// into a tombstone).
    static func typeName(_ box: EntryBox, _ now: Now) -> StaticString {
        switch box.header.state {
        case .string: return expired(box, now) ? "expired" : "string"
        case .counter: return expired(box, now) ? "expired" : "counter"
        case .tombstone: return "tombstone"
        case .extended:
            let object = box.header.extended!.object
            if object.isTombstone { return "tombstone" }
            switch object.kind(at: now.wall) {
            case .string?: return "string"
            case .counter?: return "counter"
            case .set?: return "set"
            case .hash?: return "hash"
            case nil: return "expired"
            }
        }
    }

    /// Live sibling values: 0 for a tombstone or an expired entry, the live string siblings
    /// when the visible type is string, 1 for a counter, set or hash.
    static func siblings(_ box: EntryBox, _ now: Now) -> Int {
        switch box.header.state {
        case .string, .counter: return expired(box, now) ? 0 : 1
        case .tombstone: return 0
        case .extended:
            let object = box.header.extended!.object
            switch object.kind(at: now.wall) {
            case .string?: return object.siblings(at: now.wall).count
            case .counter?, .set?, .hash?: return 1
            case nil: return 0
            }
        }
    }

    /// True when the entry's string register holds more than one live value (cheap for
    /// compact entries, which never have siblings).
    static func hasSiblings(_ box: EntryBox, _ now: Now) -> Bool {
        guard box.header.state == .extended else { return false }
        return siblings(box, now) > 1
    }

    /// The causal context as text: the version vector as "writer:counter,..." (writer ids
    /// in hex, as HS.SIBLINGS shows them), then any dots outside it as "+writer:counter".
    static func version(_ box: EntryBox) -> String {
        let h = box.header
        guard h.state == .extended else { return "\(NodeID(h.writer)):\(h.counter)" }
        let context = h.extended!.object.context
        var parts = context.versionVector.entries.map { "\($0.node):\($0.counter)" }
        parts += context.cloud.map { "+\($0.node):\($0.counter)" }
        return parts.joined(separator: ",")
    }

    private static func expired(_ box: EntryBox, _ now: Now) -> Bool {
        let expires = box.header.expiresAtMilliseconds
        return expires != 0 && expires <= now.wall.milliseconds
    }
}
