import RESP

/// The bridge between command semantics and versioned storage.
///
/// Every write mints a dot `(writer, n)` from the node-wide counter `lastDot`, so a dot
/// is never reused for a key, even after its tombstone was purged, and stamps a hybrid
/// timestamp. Keys this node alone wrote last stay compact and take the fast paths below
/// (no allocation); anything else goes through the full `StoredObject` (`modifyObject`).
extension Store {
    /// The next dot of this node's writer, after `counter`.
    @inline(__always)
    mutating func nextDot(after counter: UInt64) -> Dot {
        lastDot = max(lastDot, counter) &+ 1
        return Dot(node: writer, counter: lastDot)
    }

    @inline(__always)
    mutating func stamp(_ now: Now) -> HybridTimestamp { clock.now(physical: now.wall) }

    /// Whether `box` is compact and its single dot is this node's own (the fast paths).
    @inline(__always)
    func isOwnCompact(_ box: EntryBox) -> Bool {
        box.header.state != .extended && box.header.writer == writer.rawValue
    }

    /// Non-mutating helpers are static: a generic method on `self` inside a mutating
    /// command made Swift copy the whole Node per GET (callgrind).
    /// The kind a key shows at `now` (a counter shows as a string to TYPE).
    static func visibleKind(_ box: EntryBox, _ now: Now) -> StoredObject.Kind? {
        switch box.header.state {
        case .string: return .string
        case .counter: return .counter
        case .tombstone: return nil
        case .extended: return box.header.extended!.object.kind(at: now.wall)
        }
    }

    /// Calls `body` with the bytes GET returns for `box`; nil if the key holds a set or hash.
    static func readString<R>(_ box: EntryBox, _ now: Now, _ body: (UnsafeRawBufferPointer) -> R) -> R? {
        switch box.header.state {
        case .string:
            return box.withValue(body)
        case .counter:
            return withDecimal(box.counterNet, body)
        case .tombstone:
            return nil
        case .extended:
            switch box.header.extended!.object.value(at: now.wall) {
            case .string(let bytes)?: return bytes.withUnsafeBytes(body)
            case .counter(let value)?:
                if let integer = value.integerValue { return withDecimal(integer, body) }
                return Array(FloatText.format(RedisLongDouble(value.asDouble)).utf8).withUnsafeBytes(body)
            case .set?, .hash?, nil: return nil
            }
        }
    }

    // MARK: Writes

    /// SET semantics: replaces whatever the key held, of any type. Fast for own compact keys.
    mutating func writeString(
        _ key: KeyRef, existing: EntryBox?, value: UnsafeRawBufferPointer,
        expiresAt: Int64, now: Now
    ) {
        // Not `existing.map(isOwnCompact)`: a partially applied method copies the whole Node.
        if existing == nil || isOwnCompact(existing.unsafelyUnwrapped) {
            let dot = nextDot(after: existing?.header.counter ?? 0)
            keyspace.putString(
                key, existing: existing, value: value, expiresAt: expiresAt, dot: dot,
                timestamp: stamp(now))
            return
        }
        let bytes = Array(value)
        modifyObject(key, existing: existing, now: now) { object, writer, timestamp in
            let expiry: StoredObject.SetExpiry = expiresAt == 0 ? .never : .at(WallTime(milliseconds: expiresAt))
            object.set(bytes, expiry: expiry, by: writer, at: timestamp, now: now.wall)
        }
    }

    /// INCRBY semantics on a counter (a string holding an integer becomes a counter).
    mutating func incrementCounter(
        _ key: KeyRef, existing: EntryBox?, by amount: Int64,
        now: Now
    ) -> Result<Int64, CounterError> {
        if let box = existing, !isOwnCompact(box) {
            var result: Result<Int64, CounterError> = .failure(.notAnInteger)
            do {
                try modifyObject(key, existing: box, now: now) { (object, writer, timestamp) throws(CounterError) in
                    try object.increment(by: amount, by: writer, at: timestamp, now: now.wall)
                }
                if case .counter(let value)? = CompactObject.materialize(keyspace.entry(key, now: now)!)
                    .value(at: now.wall), let n = value.integerValue
                {
                    result = .success(n)
                }
            } catch {
                result = .failure(error)
            }
            return result
        }
        var current: Int64 = 0
        var origin: UInt64? = nil
        var expiresAt: Int64 = 0
        if let box = existing {
            expiresAt = box.header.expiresAtMilliseconds
            switch box.header.state {
            case .counter:
                current = box.counterNet
                origin = box.counterOrigin
            case .string:
                guard let parsed = box.withValue({ Arguments.parseInt64($0) }) else { return .failure(.notAnInteger) }
                current = parsed
            case .tombstone, .extended:
                expiresAt = 0
            }
        }
        let (sum, overflow) = current.addingReportingOverflow(amount)
        guard !overflow else { return .failure(.overflow) }
        let dot = nextDot(after: existing?.header.counter ?? 0)
        keyspace.putCounter(
            key, existing: existing, origin: origin ?? dot.counter, net: sum, expiresAt: expiresAt,
            dot: dot, timestamp: stamp(now))
        return .success(sum)
    }

    /// DEL semantics: removes every write this replica holds for the key.
    mutating func deleteEntry(_ key: KeyRef, existing: EntryBox, now: Now) {
        if isOwnCompact(existing) {
            keyspace.putTombstone(
                key, existing: existing, dot: Dot(node: writer, counter: existing.header.counter),
                now: now)
            return
        }
        modifyObject(key, existing: existing, now: now) { object, _, _ in object.delete(now: now.wall) }
    }

    /// EXPIRE/PERSIST semantics: the key's live writes rewritten with a new expiry (0 = none).
    mutating func changeExpiry(_ key: KeyRef, existing box: EntryBox, to expiresAt: Int64, now: Now) {
        if isOwnCompact(box) && box.header.state != .tombstone {
            let dot = nextDot(after: box.header.counter)
            if box.header.state == .string {
                let timestamp = box.header.timestamp
                box.withValue { value in
                    _ = keyspace.putString(
                        key, existing: box, value: value, expiresAt: expiresAt, dot: dot,
                        timestamp: timestamp)
                }
            } else {
                keyspace.putCounter(
                    key, existing: box, origin: dot.counter, net: box.counterNet,
                    expiresAt: expiresAt, dot: dot, timestamp: stamp(now))
            }
            return
        }
        modifyObject(key, existing: box, now: now) { object, writer, timestamp in
            let expiry: WallTime? = expiresAt == 0 ? nil : WallTime(milliseconds: expiresAt)
            object.expire(at: expiry, by: writer, at: timestamp, now: now.wall)
        }
    }

    /// The general path: materialises the key's object (empty if absent), lets `body`
    /// write it as this node, and stores the result (compact again when it can be).
    @discardableResult
    mutating func modifyObject<R, E: Error>(
        _ key: KeyRef, existing: EntryBox?, now: Now,
        _ body: (inout StoredObject, NodeID, HybridTimestamp) throws(E) -> R
    ) throws(E) -> R {
        var object = existing.map(CompactObject.materialize) ?? StoredObject()
        object.raiseContext(of: writer, to: lastDot)
        let result = try body(&object, writer, stamp(now))
        lastDot = max(lastDot, object.context.maxCounter(for: writer))
        keyspace.putObject(key, existing: existing, object: object, now: now)
        return result
    }
}
