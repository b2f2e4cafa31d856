import RESP

/// String commands: GET, SET and their family, counters on strings.
extension Store {
    @inline(__always)
    mutating func findCounted(_ key: KeyRef, _ now: Now) -> EntryBox? {
        let box = keyspace.find(key, now: now)
        if box == nil { stats.keyspaceMisses &+= 1 } else { stats.keyspaceHits &+= 1 }
        return box
    }

    /// Replies with the string GET would return for `box` (null when absent); false after
    /// replying WRONGTYPE because the key holds a set or hash.
    @inline(__always)
    static func replyString(_ box: EntryBox?, _ now: Now, _ r: inout ReplyBuffer) -> Bool {
        guard let box else {
            r.null()
            return true
        }
        if box.header.state == .string {
            box.withValue { r.bulk($0) }
            return true
        }
        if Store.readString(box, now, { r.bulk($0) }) == nil {
            r.error(ErrorText.wrongType)
            return false
        }
        return true
    }

    /// Whether a visible key holds a set or hash (string commands answer WRONGTYPE).
    static func holdsCollection(_ box: EntryBox?, _ now: Now) -> Bool {
        guard let box, box.header.state == .extended else { return false }
        let kind = Store.visibleKind(box, now)
        return kind == .set || kind == .hash
    }

    mutating func get(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        _ = Store.replyString(findCounted(KeyRef(a[1]), now), now, &r)
    }

    mutating func set(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        let value = a[2]
        if a.count == 3 {
            writeString(key, existing: keyspace.entry(key, now: now), value: value, expiresAt: 0, now: now)
            r.ok()
            return
        }
        let options: SetOptions
        switch SetOptions.parse(a, from: 3, now: now.wall, command: "set") {
        case .success(let o): options = o
        case .failure(let e):
            r.error(e.text)
            return
        }
        let visible = keyspace.find(key, now: now)
        if options.returnOld {
            guard Store.replyString(visible, now, &r) else { return }
        }
        if (options.condition == .ifAbsent && visible != nil) || (options.condition == .ifPresent && visible == nil) {
            if !options.returnOld { r.null() }
            return
        }
        let expiresAt: Int64
        switch options.expiry {
        case .none: expiresAt = 0
        case .keep: expiresAt = visible?.header.expiresAtMilliseconds ?? 0
        case .at(let when): expiresAt = when
        }
        let existing = keyspace.entry(key, now: now)
        if expiresAt != 0 && expiresAt <= now.wall.milliseconds {
            if let existing { deleteEntry(key, existing: existing, now: now) }
        } else {
            writeString(key, existing: existing, value: value, expiresAt: expiresAt, now: now)
        }
        if !options.returnOld { r.ok() }
    }

    mutating func setnx(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        if keyspace.find(key, now: now) != nil {
            r.integer(0)
            return
        }
        writeString(
            key, existing: keyspace.entry(key, now: now), value: a[2], expiresAt: 0,
            now: now)
        r.integer(1)
    }

    mutating func setex(_ a: Arguments, _ now: Now, unitMilliseconds: Int64, _ r: inout ReplyBuffer) {
        let name = unitMilliseconds == 1 ? "psetex" : "setex"
        guard let amount = a.int64(2) else { return r.error(ErrorText.notInteger) }
        guard amount > 0, let when = Expiry.relative(amount, unitMilliseconds: unitMilliseconds, now: now.wall) else {
            return r.error(ErrorText.invalidExpire(name))
        }
        let key = KeyRef(a[1])
        writeString(
            key, existing: keyspace.entry(key, now: now), value: a[3], expiresAt: when,
            now: now)
        r.ok()
    }

    mutating func getset(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        guard Store.replyString(findCounted(key, now), now, &r) else { return }
        writeString(
            key, existing: keyspace.entry(key, now: now), value: a[2], expiresAt: 0,
            now: now)
    }

    mutating func getdel(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        guard let box = findCounted(key, now) else { return r.null() }
        guard Store.replyString(box, now, &r) else { return }
        deleteEntry(key, existing: box, now: now)
    }

    mutating func getex(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        var change: Expiry.Change = .unchanged
        var i = 2
        while i < a.count {
            let isPersist = a.matches(i, "PERSIST")
            if isPersist, case .unchanged = change {
                change = .persist
                i += 1
                continue
            }
            guard case .unchanged = change, i + 1 < a.count, let unit = Expiry.Unit(a, i) else {
                return r.error(ErrorText.syntax)
            }
            switch Expiry.parse(a, i + 1, unit: unit, now: now.wall, command: "getex") {
            case .success(let when): change = .at(when)
            case .failure(let e): return r.error(e.text)
            }
            i += 2
        }
        let key = KeyRef(a[1])
        guard let box = findCounted(key, now) else { return r.null() }
        guard Store.replyString(box, now, &r) else { return }
        switch change {
        case .unchanged: break
        case .persist:
            if box.header.expiresAtMilliseconds != 0 { changeExpiry(key, existing: box, to: 0, now: now) }
        case .at(let when):
            if when <= now.wall.milliseconds {
                deleteEntry(key, existing: box, now: now)
            } else {
                changeExpiry(key, existing: box, to: when, now: now)
            }
        }
    }

    mutating func mget(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        r.arrayHeader(a.count - 1)
        for i in 1..<a.count {
            let box = findCounted(KeyRef(a[i]), now)
            // MGET answers nil for a key of another type, as Redis does.
            if Store.holdsCollection(box, now) { r.null() } else { _ = Store.replyString(box, now, &r) }
        }
    }

    mutating func mset(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard a.count % 2 == 1 else { return r.error(ErrorText.wrongArity("mset")) }
        var total = 0
        for i in 1..<a.count { total += a[i].count }
        for i in stride(from: 1, to: a.count, by: 2) {
            let key = KeyRef(a[i])
            writeString(key, existing: keyspace.entry(key, now: now), value: a[i + 1], expiresAt: 0, now: now)
        }
        r.ok()
    }

    mutating func msetnx(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard a.count % 2 == 1 else { return r.error(ErrorText.wrongArity("msetnx")) }
        for i in stride(from: 1, to: a.count, by: 2) where keyspace.find(KeyRef(a[i]), now: now) != nil {
            return r.integer(0)
        }
        var total = 0
        for i in 1..<a.count { total += a[i].count }
        for i in stride(from: 1, to: a.count, by: 2) {
            let key = KeyRef(a[i])
            writeString(key, existing: keyspace.entry(key, now: now), value: a[i + 1], expiresAt: 0, now: now)
        }
        r.integer(1)
    }

    /// The bytes of a string key (a copy; for the less common string commands), nil when absent.
    /// Replies WRONGTYPE and returns .failure for a set or hash.
    mutating func stringBytes(_ key: KeyRef, _ now: Now, _ r: inout ReplyBuffer) -> Result<[UInt8]?, CommandError> {
        guard let box = keyspace.find(key, now: now) else { return .success(nil) }
        guard let bytes = Store.readString(box, now, { Array($0) }) else {
            r.error(ErrorText.wrongType)
            return .failure(CommandError(ErrorText.wrongType))
        }
        return .success(bytes)
    }

    mutating func strlen(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        if let box = keyspace.find(key, now: now), box.header.state == .string { return r.integer(box.valueCount) }
        guard case .success(let bytes) = stringBytes(key, now, &r) else { return }
        r.integer(bytes?.count ?? 0)
    }

    mutating func append(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        let tail = a[2]
        guard case .success(let current) = stringBytes(key, now, &r) else { return }
        var joined = current ?? []
        guard joined.count + tail.count <= Int(Int32.max) else { return r.error(ErrorText.stringTooLong) }
        joined.append(contentsOf: tail)
        // APPEND keeps the key's TTL, as in Redis.
        let expiresAt = keyspace.find(key, now: now)?.header.expiresAtMilliseconds ?? 0
        joined.withUnsafeBytes { bytes in
            writeString(
                key, existing: keyspace.entry(key, now: now), value: bytes, expiresAt: expiresAt,
                now: now)
        }
        r.integer(joined.count)
    }

    mutating func getrange(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard var start = a.int64(2), var end = a.int64(3) else { return r.error(ErrorText.notInteger) }
        guard case .success(let found) = stringBytes(KeyRef(a[1]), now, &r) else { return }
        guard let bytes = found else { return r.bulk([]) }
        let length = Int64(bytes.count)
        if start < 0 && end < 0 && start > end { return r.bulk([]) }
        if start < 0 { start = length + start }
        if end < 0 { end = length + end }
        if start < 0 { start = 0 }
        if end < 0 { end = 0 }
        if end >= length { end = length - 1 }
        if length == 0 || start > end { return r.bulk([]) }
        r.bulk(Array(bytes[Int(start)...Int(end)]))
    }

    mutating func incrByArgument(_ a: Arguments, negate: Bool, _ now: Now, _ r: inout ReplyBuffer) {
        guard let delta = a.int64(2) else { return r.error(ErrorText.notInteger) }
        if negate {
            guard delta != Int64.min else { return r.error("ERR decrement would overflow") }
            incrBy(a, -delta, now, &r)
        } else {
            incrBy(a, delta, now, &r)
        }
    }

    /// INCR family: a PN-counter, so increments made concurrently on different nodes all count.
    mutating func incrBy(_ a: Arguments, _ delta: Int64, _ now: Now, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        let existing = keyspace.entry(key, now: now)
        if let box = existing, box.header.state == .extended, Store.holdsCollection(keyspace.find(key, now: now), now) {
            return r.error(ErrorText.wrongType)
        }
        switch incrementCounter(key, existing: existing, by: delta, now: now) {
        case .success(let value): r.integer(value)
        case .failure(.overflow): r.error(ErrorText.overflow)
        case .failure(.notAFloat): r.error(ErrorText.notFloat)
        case .failure(.notFinite): r.error(ErrorText.nanOrInfinity)
        case .failure(.wrongType): r.error(ErrorText.wrongType)
        case .failure(.notAnInteger): r.error(ErrorText.notInteger)
        }
    }

    /// INCRBYFLOAT: computed in long double and written back as a string, as Redis does (see
    /// README: unlike INCR it is a read-modify-write of the string register, because float
    /// addition is not associative, so concurrent INCRBYFLOATs resolve like concurrent SETs).
    mutating func incrByFloat(_ a: Arguments, _ now: Now, _ r: inout ReplyBuffer) {
        guard let delta = FloatText.parse(a[2]) else { return r.error(ErrorText.notFloat) }
        let key = KeyRef(a[1])
        guard case .success(let found) = stringBytes(key, now, &r) else { return }
        var current: RedisLongDouble = 0
        if let bytes = found {
            guard let parsed = bytes.withUnsafeBytes({ FloatText.parse($0) }) else {
                return r.error(ErrorText.notFloat)
            }
            current = parsed
        }
        let sum = current + delta
        guard sum.isFinite else { return r.error(ErrorText.nanOrInfinity) }
        let text = Array(FloatText.format(sum).utf8)
        let expiresAt = keyspace.find(key, now: now)?.header.expiresAtMilliseconds ?? 0
        text.withUnsafeBytes { bytes in
            writeString(
                key, existing: keyspace.entry(key, now: now), value: bytes, expiresAt: expiresAt,
                now: now)
        }
        r.bulk(text)
    }
}

/// Decimal digits of `value` in a stack buffer, for storing counters without allocating.
@inline(__always)
func withDecimal<R>(_ value: Int64, _ body: (UnsafeRawBufferPointer) -> R) -> R {
    withUnsafeTemporaryAllocation(byteCount: 24, alignment: 1) { buffer in
        var magnitude = value.magnitude
        var i = 24
        repeat {
            i -= 1
            buffer[i] = UInt8(truncatingIfNeeded: magnitude % 10) &+ 48
            magnitude /= 10
        } while magnitude > 0
        if value < 0 {
            i -= 1
            buffer[i] = UInt8(ascii: "-")
        }
        return body(UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[i..<24]))
    }
}
