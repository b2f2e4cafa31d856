import RESP

/// Hash commands on the OR-map of registers: fields written concurrently become siblings
/// (HGET returns the winner), a field set concurrently with its HDEL stays.
extension Store {
    /// The visible fields of a hash key, sorted by field; nil (after WRONGTYPE) for another type.
    mutating func hashFields(_ key: KeyRef, _ now: Now, _ r: inout ReplyBuffer) -> [HashField]? {
        guard let box = keyspace.find(key, now: now) else { return [] }
        guard Store.visibleKind(box, now) == .hash,
            case .hash(let fields)? = CompactObject.materialize(box).value(at: now.wall)
        else {
            r.error(ErrorText.wrongType)
            return nil
        }
        return fields
    }

    func field(_ fields: [HashField], _ name: [UInt8]) -> HashField? { fields.first { $0.field == name } }

    /// HSET key field value [field value ...] (and HMSET, which replies OK).
    mutating func hset(_ a: Arguments, _ now: Now, legacy: Bool, _ r: inout ReplyBuffer) {
        guard a.count % 2 == 0 else { return r.error(ErrorText.wrongArity(legacy ? "hmset" : "hset")) }
        let key = KeyRef(a[1])
        guard let before = hashFields(key, now, &r) else { return }
        var pairs: [(field: [UInt8], value: [UInt8])] = []
        var total = 0
        for i in stride(from: 2, to: a.count, by: 2) {
            pairs.append((a.bytes(i), a.bytes(i + 1)))
            total += a[i].count + a[i + 1].count
        }
        let known = Set(before.map(\.field))
        let created = Set(pairs.map(\.field)).subtracting(known).count
        writeFields(key, pairs, now, &r) {
            if legacy { $0.ok() } else { $0.integer(created) }
        }
    }

    mutating func writeFields(
        _ key: KeyRef, _ pairs: [(field: [UInt8], value: [UInt8])], _ now: Now,
        _ r: inout ReplyBuffer, onSuccess: (inout ReplyBuffer) -> Void
    ) {
        let existing = keyspace.entry(key, now: now)
        do {
            try modifyObject(key, existing: existing, now: now) { (object, writer, timestamp) throws(WrongTypeError) in
                try object.setFields(pairs, by: writer, at: timestamp, now: now.wall)
            }
            onSuccess(&r)
        } catch {
            r.error(ErrorText.wrongType)
        }
    }

    mutating func hsetnx(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        guard let before = hashFields(key, now, &r) else { return }
        if field(before, a.bytes(2)) != nil { return r.integer(0) }
        writeFields(key, [(a.bytes(2), a.bytes(3))], now, &r) { $0.integer(1) }
    }

    mutating func hget(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let fields = hashFields(KeyRef(a[1]), now, &r) else { return }
        if let f = field(fields, a.bytes(2)) { r.bulk(f.value) } else { r.null() }
    }

    mutating func hmget(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let fields = hashFields(KeyRef(a[1]), now, &r) else { return }
        r.arrayHeader(a.count - 2)
        for i in 2..<a.count {
            if let f = field(fields, a.bytes(i)) { r.bulk(f.value) } else { r.null() }
        }
    }

    mutating func hdel(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        guard let before = hashFields(key, now, &r) else { return }
        let names = arguments(a, from: 2)
        let present = Set(names).intersection(before.map(\.field)).count
        guard present > 0, let existing = keyspace.entry(key, now: now) else { return r.integer(0) }
        do {
            try modifyObject(key, existing: existing, now: now) { (object, _, _) throws(WrongTypeError) in
                try object.removeFields(names, now: now.wall)
            }
            r.integer(present)
        } catch {
            r.error(ErrorText.wrongType)
        }
    }

    mutating func hgetall(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let fields = hashFields(KeyRef(a[1]), now, &r) else { return }
        r.mapHeader(fields.count)
        for f in fields {
            r.bulk(f.field)
            r.bulk(f.value)
        }
    }

    mutating func hlen(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let fields = hashFields(KeyRef(a[1]), now, &r) else { return }
        r.integer(fields.count)
    }

    mutating func hexists(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let fields = hashFields(KeyRef(a[1]), now, &r) else { return }
        r.integer(field(fields, a.bytes(2)) == nil ? 0 : 1)
    }

    mutating func hkeys(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let fields = hashFields(KeyRef(a[1]), now, &r) else { return }
        r.arrayHeader(fields.count)
        for f in fields { r.bulk(f.field) }
    }

    mutating func hvals(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let fields = hashFields(KeyRef(a[1]), now, &r) else { return }
        r.arrayHeader(fields.count)
        for f in fields { r.bulk(f.value) }
    }

    /// HINCRBY: a read-modify-write of one field's register (see README: concurrent HINCRBYs
    /// on different nodes become siblings, unlike INCR on a key, which is a PN-counter).
    mutating func hincrby(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let delta = a.int64(3) else { return r.error(ErrorText.notInteger) }
        let key = KeyRef(a[1])
        guard let fields = hashFields(key, now, &r) else { return }
        var current: Int64 = 0
        if let f = field(fields, a.bytes(2)) {
            guard let parsed = f.value.withUnsafeBytes({ Arguments.parseInt64($0) }) else {
                return r.error("ERR hash value is not an integer")
            }
            current = parsed
        }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        guard !overflow else { return r.error(ErrorText.overflow) }
        writeFields(key, [(a.bytes(2), Array(String(sum).utf8))], now, &r) { $0.integer(sum) }
    }
}
