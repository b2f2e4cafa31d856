import RESP

/// String commands: GET, SET and their family, counters on strings.
extension Node {
    @inline(__always)
    mutating func findCounted(_ key: KeyRef, _ now: Int64) -> EntryBox? {
        let box = keyspace.find(key, now: now)
        if box == nil { stats.keyspaceMisses &+= 1 } else { stats.keyspaceHits &+= 1 }
        return box
    }

    /// Whether a write of this size may go ahead under maxmemory; replies OOM if not.
    @inline(__always)
    func admitWrite(_ bytes: Int, _ r: inout ReplyBuffer) -> Bool {
        if keyspace.hasRoom(for: bytes + 64) { return true }
        r.error(ErrorText.outOfMemory)
        return false
    }

    mutating func get(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        if let box = findCounted(KeyRef(a[1]), now) {
            box.withValue { r.bulk($0) }
        } else {
            r.null()
        }
    }

    mutating func set(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        let value = a[2]
        guard admitWrite(key.bytes.count + value.count, &r) else { return }
        if a.count == 3 {
            keyspace.store(key, value: value, expiresAt: 0, now: now)
            r.ok()
            return
        }
        let options: SetOptions
        switch SetOptions.parse(a, from: 3, now: now, command: "set") {
        case .success(let o): options = o
        case .failure(let e):
            r.error(e.text)
            return
        }
        let existing = keyspace.find(key, now: now)
        if options.returnOld {
            if let box = existing { box.withValue { r.bulk($0) } } else { r.null() }
        }
        if (options.condition == .ifAbsent && existing != nil) || (options.condition == .ifPresent && existing == nil) {
            if !options.returnOld { r.null() }
            return
        }
        let expiresAt: Int64
        switch options.expiry {
        case .none: expiresAt = 0
        case .keep: expiresAt = existing?.header.expiresAtMilliseconds ?? 0
        case .at(let when): expiresAt = when
        }
        if expiresAt != 0 && expiresAt <= now {
            keyspace.remove(key, now: now)
        } else {
            keyspace.store(key, value: value, expiresAt: expiresAt, now: now)
        }
        if !options.returnOld { r.ok() }
    }

    mutating func setnx(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        if keyspace.find(key, now: now) != nil {
            r.integer(0)
            return
        }
        guard admitWrite(key.bytes.count + a[2].count, &r) else { return }
        keyspace.store(key, value: a[2], expiresAt: 0, now: now)
        r.integer(1)
    }

    mutating func setex(_ a: Arguments, _ now: Int64, unitMilliseconds: Int64, _ r: inout ReplyBuffer) {
        let name = unitMilliseconds == 1 ? "psetex" : "setex"
        guard let amount = a.int64(2) else { return r.error(ErrorText.notInteger) }
        guard amount > 0, let when = Expiry.relative(amount, unitMilliseconds: unitMilliseconds, now: now) else {
            return r.error(ErrorText.invalidExpire(name))
        }
        let key = KeyRef(a[1])
        guard admitWrite(key.bytes.count + a[3].count, &r) else { return }
        keyspace.store(key, value: a[3], expiresAt: when, now: now)
        r.ok()
    }

    mutating func getset(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        guard admitWrite(key.bytes.count + a[2].count, &r) else { return }
        if let box = findCounted(key, now) { box.withValue { r.bulk($0) } } else { r.null() }
        keyspace.store(key, value: a[2], expiresAt: 0, now: now)
    }

    mutating func getdel(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        guard let box = findCounted(key, now) else { return r.null() }
        box.withValue { r.bulk($0) }
        keyspace.remove(key, now: now)
    }

    mutating func getex(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
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
            switch Expiry.parse(a, i + 1, unit: unit, now: now, command: "getex") {
            case .success(let when): change = .at(when)
            case .failure(let e): return r.error(e.text)
            }
            i += 2
        }
        let key = KeyRef(a[1])
        guard let box = findCounted(key, now) else { return r.null() }
        box.withValue { r.bulk($0) }
        switch change {
        case .unchanged: break
        case .persist: keyspace.setExpiry(box, 0)
        case .at(let when):
            if when <= now { keyspace.remove(key, now: now) } else { keyspace.setExpiry(box, when) }
        }
    }

    mutating func mget(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        r.arrayHeader(a.count - 1)
        for i in 1..<a.count {
            if let box = findCounted(KeyRef(a[i]), now) { box.withValue { r.bulk($0) } } else { r.null() }
        }
    }

    mutating func mset(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        guard a.count % 2 == 1 else { return r.error(ErrorText.wrongArity("mset")) }
        var total = 0
        for i in 1..<a.count { total += a[i].count }
        guard admitWrite(total, &r) else { return }
        for i in stride(from: 1, to: a.count, by: 2) {
            keyspace.store(KeyRef(a[i]), value: a[i + 1], expiresAt: 0, now: now)
        }
        r.ok()
    }

    mutating func msetnx(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        guard a.count % 2 == 1 else { return r.error(ErrorText.wrongArity("msetnx")) }
        for i in stride(from: 1, to: a.count, by: 2) where keyspace.find(KeyRef(a[i]), now: now) != nil {
            return r.integer(0)
        }
        var total = 0
        for i in 1..<a.count { total += a[i].count }
        guard admitWrite(total, &r) else { return }
        for i in stride(from: 1, to: a.count, by: 2) {
            keyspace.store(KeyRef(a[i]), value: a[i + 1], expiresAt: 0, now: now)
        }
        r.integer(1)
    }

    mutating func strlen(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        r.integer(keyspace.find(KeyRef(a[1]), now: now)?.valueCount ?? 0)
    }

    mutating func append(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        let tail = a[2]
        guard admitWrite(tail.count, &r) else { return }
        guard var box = keyspace.find(key, now: now) else {
            keyspace.store(key, value: tail, expiresAt: 0, now: now)
            return r.integer(tail.count)
        }
        guard box.valueCount + tail.count <= Int(Int32.max) else { return r.error(ErrorText.stringTooLong) }
        box = keyspace.reserve(box, valueCapacity: box.valueCount + tail.count)
        box.appendValue(tail)
        r.integer(box.valueCount)
    }

    mutating func getrange(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        guard var start = a.int64(2), var end = a.int64(3) else { return r.error(ErrorText.notInteger) }
        guard let box = keyspace.find(KeyRef(a[1]), now: now) else { return r.bulk([]) }
        let length = Int64(box.valueCount)
        if start < 0 && end < 0 && start > end { return r.bulk([]) }
        if start < 0 { start = length + start }
        if end < 0 { end = length + end }
        if start < 0 { start = 0 }
        if end < 0 { end = 0 }
        if end >= length { end = length - 1 }
        if length == 0 || start > end { return r.bulk([]) }
        box.withValue { r.bulk(UnsafeRawBufferPointer(rebasing: $0[Int(start)...Int(end)])) }
    }

    mutating func incrByArgument(_ a: Arguments, negate: Bool, _ now: Int64, _ r: inout ReplyBuffer) {
        guard let delta = a.int64(2) else { return r.error(ErrorText.notInteger) }
        if negate {
            guard delta != Int64.min else { return r.error("ERR decrement would overflow") }
            incrBy(a, -delta, now, &r)
        } else {
            incrBy(a, delta, now, &r)
        }
    }

    mutating func incrBy(_ a: Arguments, _ delta: Int64, _ now: Int64, _ r: inout ReplyBuffer) {
        let key = KeyRef(a[1])
        let box = keyspace.find(key, now: now)
        var current: Int64 = 0
        if let box {
            guard let parsed = box.withValue({ Arguments.parseInt64($0) }) else { return r.error(ErrorText.notInteger) }
            current = parsed
        }
        let (sum, overflow) = current.addingReportingOverflow(delta)
        guard !overflow else { return r.error(ErrorText.overflow) }
        withDecimal(sum) { digits in
            if let box, digits.count <= box.valueCapacity {
                box.storeValue(digits)
            } else {
                keyspace.store(key, value: digits, expiresAt: box?.header.expiresAtMilliseconds ?? 0, now: now)
            }
        }
        r.integer(sum)
    }

    mutating func incrByFloat(_ a: Arguments, _ now: Int64, _ r: inout ReplyBuffer) {
        guard let delta = FloatText.parse(a[2]) else { return r.error(ErrorText.notFloat) }
        let key = KeyRef(a[1])
        let box = keyspace.find(key, now: now)
        var current: RedisLongDouble = 0
        if let box {
            guard let parsed = box.withValue({ FloatText.parse($0) }) else { return r.error(ErrorText.notFloat) }
            current = parsed
        }
        let sum = current + delta
        guard sum.isFinite else { return r.error(ErrorText.nanOrInfinity) }
        let text = Array(FloatText.format(sum).utf8)
        _ = text.withUnsafeBytes { bytes in
            keyspace.store(key, value: bytes, expiresAt: box?.header.expiresAtMilliseconds ?? 0, now: now)
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
