import RESP

/// Hearsay's own commands for seeing and resolving siblings:
///   HS.SIBLINGS key            every live sibling with its timestamp, writer and expiry
///   HS.GETCTX key              the value(s) and the causal context a client can hold
///   HS.SETCTX key value ctx    a write that replaces exactly what `ctx` had seen
extension Store {
    mutating func siblings(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let box = keyspace.find(KeyRef(a[1]), now: now) else { return r.arrayHeader(0) }
        let object = CompactObject.materialize(box)
        guard let kind = object.kind(at: now.wall), kind == .string || kind == .counter else {
            return r.error(ErrorText.wrongType)
        }
        if kind == .counter {
            // A counter has no siblings: every increment counts. Show its value as one entry.
            r.arrayHeader(1)
            siblingEntry(
                value: Array(
                    String(
                        describing: object.value(at: now.wall).map { v -> String in
                            if case .counter(let c) = v { return c.description }
                            return ""
                        } ?? ""
                    ).utf8), stamp: nil, &r)
            return
        }
        let siblings = object.siblings(at: now.wall).sorted { $0.stamp.winsOver($1.stamp) }
        r.arrayHeader(siblings.count)
        for s in siblings { siblingEntry(value: s.value, stamp: s.stamp, &r) }
    }

    /// One sibling as a map: value, timestamp (ms.logical), node (writer id), dot, expires (ms, -1 none).
    func siblingEntry(value: [UInt8], stamp: WriteStamp?, _ r: inout ReplyBuffer) {
        r.mapHeader(5)
        r.bulk("value")
        r.bulk(value)
        r.bulk("timestamp")
        r.bulk(stamp.map { "\($0.timestamp.physicalMilliseconds).\($0.timestamp.logical)" } ?? "")
        r.bulk("node")
        r.bulk(stamp.map { $0.dot.node.description } ?? "")
        r.bulk("dot")
        r.integer(Int64(bitPattern: stamp?.dot.counter ?? 0))
        r.bulk("expires")
        r.integer(stamp?.expiresAt.map { $0.milliseconds } ?? -1)
    }

    mutating func getContext(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        let entry = keyspace.entry(key, now: now)
        let object = entry.map(CompactObject.materialize) ?? StoredObject()
        if let kind = object.kind(at: now.wall), kind != .string {
            return r.error(ErrorText.wrongType)
        }
        let values = object.siblings(at: now.wall).sorted { $0.stamp.winsOver($1.stamp) }.map(\.value)
        r.arrayHeader(2)
        r.arrayHeader(values.count)
        for v in values { r.bulk(v) }
        r.bulk(object.context.opaqueText)
    }

    mutating func setWithContext(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let observed: CausalContext
        do {
            // An empty context is a client that has seen nothing of the key.
            observed = a[3].isEmpty ? CausalContext() : try CausalContext(opaqueText: a.string(3))
        } catch {
            return r.error("ERR invalid causal context")
        }
        let key = KeyRef(a[1])
        let value = a.bytes(2)
        let existing = keyspace.entry(key, now: now)
        modifyObject(key, existing: existing, now: now) { object, writer, timestamp in
            object.set(value, observed: observed, by: writer, at: timestamp, now: now.wall)
        }
        r.ok()
    }
}
