import RESP

/// Generic key commands: DEL, EXISTS, expiry, TYPE, KEYS, SCAN, RANDOMKEY.
extension Store {
    mutating func del(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        var removed = 0
        for i in 1..<a.count {
            let key = KeyRef(a[i])
            guard let box = keyspace.find(key, now: now) else { continue }
            deleteEntry(key, existing: box, now: now)
            removed += 1
        }
        r.integer(removed)
    }

    /// EXISTS leaves the keys' access bits alone; TOUCH counts the same keys and records an
    /// access to each (even for a CLIENT NO-TOUCH client), as in Redis.
    mutating func exists(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        var found = 0
        for i in 1..<a.count where keyspace.find(KeyRef(a[i]), now: now, touching: false) != nil { found += 1 }
        r.integer(found)
    }

    mutating func touch(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        var found = 0
        for i in 1..<a.count where keyspace.find(KeyRef(a[i]), now: now) != nil { found += 1 }
        r.integer(found)
    }

    /// EXPIRE, PEXPIRE, EXPIREAT, PEXPIREAT with NX | XX | GT | LT.
    mutating func expire(
        _ a: Arguments, _ now: Now, base: WallTime, unitMilliseconds: Int64,
        _ r: inout ReplyBuffer
    ) {
        let name = a.string(0).lowercased()
        guard let amount = a.int64(2) else { return r.error(ErrorText.notInteger) }
        var nx = false
        var xx = false
        var gt = false
        var lt = false
        for i in 3..<max(3, a.count) {
            if a.matches(i, "NX") {
                nx = true
            } else if a.matches(i, "XX") {
                xx = true
            } else if a.matches(i, "GT") {
                gt = true
            } else if a.matches(i, "LT") {
                lt = true
            } else {
                return r.error("ERR Unsupported option \(a.string(i))")
            }
        }
        if nx && (xx || gt || lt) {
            return r.error("ERR NX and XX, GT or LT options at the same time are not compatible")
        }
        if gt && lt { return r.error("ERR GT and LT options at the same time are not compatible") }
        guard let when = Expiry.relative(amount, unitMilliseconds: unitMilliseconds, now: base) else {
            return r.error(ErrorText.invalidExpire(name))
        }
        let key = KeyRef(a[1])
        guard let box = keyspace.find(key, now: now) else { return r.integer(0) }
        let current = box.header.expiresAtMilliseconds
        // No expiry counts as an infinite TTL for GT and LT, as in Redis.
        if nx && current != 0 { return r.integer(0) }
        if xx && current == 0 { return r.integer(0) }
        if gt && (current == 0 || when <= current) { return r.integer(0) }
        if lt && current != 0 && when >= current { return r.integer(0) }
        if when <= now.wall.milliseconds {
            deleteEntry(key, existing: box, now: now)
        } else {
            changeExpiry(key, existing: box, to: when, now: now)
        }
        r.integer(1)
    }

    mutating func expireTime(_ a: Arguments, _ now: Now, divisor: Int64, _ r: inout ReplyBuffer) {
        guard let box = keyspace.find(KeyRef(a[1]), now: now, touching: false) else { return r.integer(-2) }
        let at = box.header.expiresAtMilliseconds
        // Redis rounds EXPIRETIME to the nearest second, as it does TTL.
        r.integer(at == 0 ? -1 : divisor == 1 ? at : (at + 500) / 1000)
    }

    mutating func ttl(_ a: Arguments, _ now: Now, divisor: Int64, _ r: inout ReplyBuffer) {
        guard let box = keyspace.find(KeyRef(a[1]), now: now, touching: false) else { return r.integer(-2) }
        let at = box.header.expiresAtMilliseconds
        guard at != 0 else { return r.integer(-1) }
        let remaining = max(0, at - now.wall.milliseconds)
        r.integer(divisor == 1 ? remaining : (remaining + 500) / 1000)
    }

    mutating func persist(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let box = keyspace.find(KeyRef(a[1]), now: now), box.header.expiresAtMilliseconds != 0 else {
            return r.integer(0)
        }
        changeExpiry(KeyRef(a[1]), existing: box, to: 0, now: now)
        r.integer(1)
    }

    /// TYPE's answer: a counter is a "string", as Redis's integers are.
    func typeName(_ box: EntryBox, _ now: Now) -> StaticString {
        switch Store.visibleKind(box, now) {
        case .string?, .counter?: return "string"
        case .set?: return "set"
        case .hash?: return "hash"
        case nil: return "none"
        }
    }

    mutating func type(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let box = keyspace.find(KeyRef(a[1]), now: now, touching: false) else { return r.simple("none") }
        r.simple(typeName(box, now))
    }

    mutating func keys(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let pattern = a[1]
        let matchAll = pattern.count == 1 && pattern[0] == UInt8(ascii: "*")
        var found: [EntryBox] = []
        let db = selectedDatabase
        for p in 0..<keyspace.partitionCount {
            keyspace.forEachKey(inPartition: p, now: now.wall) { box in
                let listed = box.withKey { stored in
                    let (keyDB, key) = Databases.split(stored)
                    return keyDB == db && (matchAll || GlobPattern.matches(pattern, key))
                }
                if listed { found.append(box) }
            }
        }
        r.arrayHeader(found.count)
        for box in found { box.withKey { r.bulk(Databases.split($0).key) } }
    }

    /// SCAN cursor [MATCH pattern] [COUNT n] [TYPE type].
    ///
    /// The cursor is a partition number: each call returns whole partitions until at
    /// least COUNT keys are gathered. A key present for the whole iteration is returned
    /// at least once, because keys never move between partitions (see README).
    mutating func scan(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let cursor = scanCursor(a[1]) else {
            return r.error("ERR invalid cursor")
        }
        var pattern: UnsafeRawBufferPointer? = nil
        var count = 10
        var typeFilter: String? = nil
        var i = 2
        while i < a.count {
            guard i + 1 < a.count else { return r.error(ErrorText.syntax) }
            if a.matches(i, "MATCH") {
                pattern = a[i + 1]
            } else if a.matches(i, "COUNT") {
                guard let n = a.int64(i + 1) else { return r.error(ErrorText.notInteger) }
                guard n >= 1 else { return r.error(ErrorText.syntax) }
                count = Int(min(n, Int64(Int32.max)))
            } else if a.matches(i, "TYPE") {
                typeFilter = a.string(i + 1).lowercased()
            } else {
                return r.error(ErrorText.syntax)
            }
            i += 2
        }
        var found: [EntryBox] = []
        var partition = cursor
        let db = selectedDatabase
        while partition < keyspace.partitionCount && found.count < count {
            keyspace.forEachKey(inPartition: partition, now: now.wall) { box in
                if let typeFilter, typeFilter != typeName(box, now).description { return }
                let listed = box.withKey { stored in
                    let (keyDB, key) = Databases.split(stored)
                    return keyDB == db && (pattern.map { GlobPattern.matches($0, key) } ?? true)
                }
                if listed { found.append(box) }
            }
            partition += 1
        }
        let next = partition >= keyspace.partitionCount ? 0 : partition
        r.arrayHeader(2)
        r.bulk(String(next))
        r.arrayHeader(found.count)
        for box in found { box.withKey { r.bulk(Databases.split($0).key) } }
    }

    /// The cursor as Redis reads it (`strtoul`: optional sign, a negative number wraps,
    /// the empty string is 0, no blanks, no overflow), clamped to the partition count:
    /// a cursor past the last partition ends the iteration.
    private func scanCursor(_ bytes: UnsafeRawBufferPointer) -> Int? {
        var i = 0
        var negative = false
        if bytes.count > 0 && (bytes[0] == UInt8(ascii: "+") || bytes[0] == UInt8(ascii: "-")) {
            negative = bytes[0] == UInt8(ascii: "-")
            i = 1
            guard bytes.count > 1 else { return nil }
        }
        var value: UInt64 = 0
        while i < bytes.count {
            let d = bytes[i] &- UInt8(ascii: "0")
            guard d <= 9 else { return nil }
            let (m, o1) = value.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(d))
            guard !o1 && !o2 else { return nil }
            value = s
            i += 1
        }
        if negative { value = 0 &- value }
        return value >= UInt64(keyspace.partitionCount) ? keyspace.partitionCount : Int(value)
    }

    /// A random key of the selected database: random draws first, then (other databases
    /// crowding it out) a walk for its first key.
    mutating func randomKey(_ now: Now, _ r: inout ReplyBuffer) {
        let db = selectedDatabase
        if keyspace.holdsOnlyPlainKeys && db != 0 { return r.null() }
        for _ in 0..<(keyspace.holdsOnlyPlainKeys ? 1 : 64) {
            guard let box = keyspace.randomEntry(now: now.wall, using: &rng) else { return r.null() }
            if box.withKey({ Databases.split($0).db }) == db { return box.withKey { r.bulk(Databases.split($0).key) } }
        }
        for p in 0..<keyspace.partitionCount {
            var first: EntryBox? = nil
            keyspace.forEachKey(inPartition: p, now: now.wall) { box in
                if first == nil && box.withKey({ Databases.split($0).db }) == db { first = box }
            }
            if let first { return first.withKey { r.bulk(Databases.split($0).key) } }
        }
        r.null()
    }
}
