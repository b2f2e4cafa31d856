import RESP

/// Set commands on the add-wins OR-set: a member added concurrently with its removal stays.
extension Store {
    /// The visible members of a set key, sorted; nil (after replying WRONGTYPE) for another type.
    mutating func setMembers(_ key: KeyRef, _ now: Now, _ r: inout ReplyBuffer) -> [[UInt8]]? {
        guard let box = keyspace.find(key, now: now) else { return [] }
        guard Store.visibleKind(box, now) == .set,
            case .set(let members)? = CompactObject.materialize(box).value(at: now.wall)
        else {
            r.error(ErrorText.wrongType)
            return nil
        }
        return members
    }

    func arguments(_ a: Arguments, from start: Int) -> [[UInt8]] { (start..<a.count).map { a.bytes($0) } }

    mutating func sadd(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        guard let before = setMembers(key, now, &r) else { return }
        let added = arguments(a, from: 2)
        var total = 0
        for i in 2..<a.count { total += a[i].count }
        let fresh = Set(added).subtracting(before).count
        let existing = keyspace.entry(key, now: now)
        do {
            try modifyObject(key, existing: existing, now: now) { (object, writer, timestamp) throws(WrongTypeError) in
                try object.addMembers(added, by: writer, at: timestamp, now: now.wall)
            }
            r.integer(fresh)
        } catch {
            r.error(ErrorText.wrongType)
        }
    }

    mutating func srem(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        guard let before = setMembers(key, now, &r) else { return }
        let removed = arguments(a, from: 2)
        let present = Set(removed).intersection(before).count
        guard present > 0, let existing = keyspace.entry(key, now: now) else { return r.integer(0) }
        do {
            try modifyObject(key, existing: existing, now: now) { (object, _, _) throws(WrongTypeError) in
                try object.removeMembers(removed, now: now.wall)
            }
            r.integer(present)
        } catch {
            r.error(ErrorText.wrongType)
        }
    }

    mutating func smembers(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let members = setMembers(KeyRef(a[1]), now, &r) else { return }
        r.setHeader(members.count)
        for m in members { r.bulk(m) }
    }

    mutating func sismember(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let members = setMembers(KeyRef(a[1]), now, &r) else { return }
        r.integer(members.contains(a.bytes(2)) ? 1 : 0)
    }

    mutating func smismember(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let members = setMembers(KeyRef(a[1]), now, &r) else { return }
        let set = Set(members)
        r.arrayHeader(a.count - 2)
        for i in 2..<a.count { r.integer(set.contains(a.bytes(i)) ? 1 : 0) }
    }

    mutating func scard(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let members = setMembers(KeyRef(a[1]), now, &r) else { return }
        r.integer(members.count)
    }

    /// SRANDMEMBER key [count]: a positive count gives distinct members, a negative one may repeat.
    mutating func srandmember(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        var count: Int64? = nil
        if a.count == 3 {
            guard let n = a.int64(2), n > Int64.min / 2, n < Int64.max / 2 else { return r.error(ErrorText.notInteger) }
            count = n
        } else if a.count > 3 {
            return r.error(ErrorText.syntax)
        }
        guard let members = setMembers(KeyRef(a[1]), now, &r) else { return }
        guard let count else {
            if members.isEmpty { return r.null() }
            return r.bulk(members[Int.random(in: 0..<members.count, using: &rng)])
        }
        if count >= 0 {
            let picked = members.shuffled(using: &rng).prefix(Int(min(count, Int64(members.count))))
            r.arrayHeader(picked.count)
            for m in picked { r.bulk(m) }
        } else {
            let n = members.isEmpty ? 0 : Int(-count)
            r.arrayHeader(n)
            for _ in 0..<n { r.bulk(members[Int.random(in: 0..<members.count, using: &rng)]) }
        }
    }

    /// SPOP key [count]: removes and returns random members.
    mutating func spop(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        var count: Int? = nil
        if a.count == 3 {
            guard let n = a.int64(2), n >= 0 else {
                return r.error("ERR value is out of range, must be positive")
            }
            count = Int(min(n, Int64(Int32.max)))
        } else if a.count > 3 {
            return r.error(ErrorText.syntax)
        }
        let key = KeyRef(a[1])
        guard let members = setMembers(key, now, &r) else { return }
        let picked = Array(members.shuffled(using: &rng).prefix(count ?? 1))
        if !picked.isEmpty, let existing = keyspace.entry(key, now: now) {
            _ = try? modifyObject(key, existing: existing, now: now) { (object, _, _) throws(WrongTypeError) in
                try object.removeMembers(picked, now: now.wall)
            }
        }
        if count == nil {
            if let first = picked.first { r.bulk(first) } else { r.null() }
        } else {
            r.setHeader(picked.count)
            for m in picked { r.bulk(m) }
        }
    }
}
