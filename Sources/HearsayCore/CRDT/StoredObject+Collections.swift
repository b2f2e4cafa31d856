/// Counter, set and hash writes. Each removes the seen entries of other types and the
/// expired ones, and carries the key's visible expiry (Redis keeps a TTL across them).
extension StoredObject {
    // MARK: counters

    /// INCR/DECR/INCRBY/DECRBY. On a string key the winning value is parsed as an integer and
    /// the key becomes a counter. Fails, changing nothing, on a non-integer value, an Int64
    /// overflow, or a set or hash key.
    @discardableResult
    public mutating func increment(
        by amount: Int64, by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) throws(CounterError) -> StoredObject {
        let current: Int64
        var start: (Int64, Double) = (0, 0)
        switch kind(at: now) {
        case .set?, .hash?:
            throw .wrongType
        case .string?:
            guard let text = winner(at: now), let parsed = StoredObject.parseInteger(text.value) else {
                throw .notAnInteger
            }
            current = parsed
            start = (parsed, 0)
        case .counter?:
            guard let value = PNCounter.value(counterEntries, counterBaselines, at: now).integerValue else {
                throw .notAnInteger
            }
            current = value
        case nil:
            current = 0
        }
        guard !current.addingReportingOverflow(amount).overflow else { throw .overflow }
        return addToCounter(integer: amount, floating: 0, start: start, by: node, at: timestamp, now: now)
    }

    /// INCRBYFLOAT, kept beside the exact integer sum (see `PNCounter`).
    @discardableResult
    public mutating func increment(
        byFloat amount: Double, by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) throws(CounterError) -> StoredObject {
        guard amount.isFinite else { throw .notAFloat }
        var start: (Int64, Double) = (0, 0)
        var current = 0.0
        switch kind(at: now) {
        case .set?, .hash?:
            throw .wrongType
        case .string?:
            let text = winner(at: now)?.value ?? []
            if let integer = StoredObject.parseInteger(text) {
                start = (integer, 0)
            } else if let float = StoredObject.parseFloat(text) {
                start = (0, float)
            } else {
                throw .notAFloat
            }
            current = Double(start.0) + start.1
        case .counter?:
            current = PNCounter.value(counterEntries, counterBaselines, at: now).asDouble
        case nil:
            break
        }
        guard (current + amount).isFinite else { throw .notFinite }
        return addToCounter(integer: 0, floating: amount, start: start, by: node, at: timestamp, now: now)
    }

    /// Extends the writer's chain when the key is a counter; otherwise starts a new chain
    /// from `start` (the parsed string, or zero) after removing everything seen.
    private mutating func addToCounter(
        integer: Int64, floating: Double, start: (Int64, Double),
        by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) -> StoredObject {
        let wasCounter = kind(at: now) == .counter
        var removal = removal(seen: context, now: now, keeping: wasCounter ? .counter : nil)
        let expiresAt = expiry(at: now)
        let dot = mint(1, for: node, seen: context)[0]
        var (entry, superseded) = PNCounter.nextEntry(
            in: wasCounter ? counterEntries : [], dot: dot, timestamp: timestamp, now: now,
            integer: start.0 &+ integer, floating: start.1 + floating)
        entry.stamp.expiryNanoseconds = expiresAt?.nanoseconds ?? WriteStamp.neverExpires
        if let superseded { removal.dots.append(superseded.stamp.dot) }
        removal.dots.append(dot)
        var rest = Collections()
        rest.counter = [entry]
        rest.baselines = removal.baselines
        return absorb(StoredObject(context: CausalContext(dots: removal.dots), register: [], collections: rest))
    }

    /// Redis's integer syntax: optional minus, decimal digits, no spaces, within Int64.
    static func parseInteger(_ bytes: [UInt8]) -> Int64? {
        guard !bytes.isEmpty, bytes.count <= 20, bytes.first != UInt8(ascii: "+") else { return nil }
        return Int64(String(decoding: bytes, as: UTF8.self))
    }

    static func parseFloat(_ bytes: [UInt8]) -> Double? {
        guard !bytes.isEmpty, bytes.count <= 64, let value = Double(String(decoding: bytes, as: UTF8.self)),
            value.isFinite
        else { return nil }
        return value
    }

    // MARK: sets

    /// SADD: adds each element with a new dot, replacing the adds of it this replica has seen.
    @discardableResult
    public mutating func addMembers(
        _ elements: [[UInt8]], by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) throws(WrongTypeError) -> StoredObject {
        let distinct = StoredObject.distinctSorted(elements)
        let expiresAt = try expiryForWrite(of: .set, now: now)
        var removal = removal(seen: context, now: now, keeping: .set)
        for member in setMembers where StoredObject.sortedContains(distinct, member.element) {
            removal.drop(member.stamp)
        }
        let dots = mint(distinct.count, for: node, seen: context)
        removal.dots += dots
        var rest = Collections()
        rest.members = zip(distinct, dots).map {
            SetMember(element: $0, stamp: WriteStamp(dot: $1, timestamp: timestamp, expiresAt: expiresAt))
        }
        rest.baselines = removal.baselines
        return absorb(StoredObject(context: CausalContext(dots: removal.dots), register: [], collections: rest))
    }

    /// SREM: removes the adds of each element this replica has seen.
    @discardableResult
    public mutating func removeMembers(_ elements: [[UInt8]], now: WallTime) throws(WrongTypeError) -> StoredObject {
        try removeEntries(
            named: elements, of: .set, now: now, entries: setMembers.lazy.map { ($0.element, $0.stamp) })
    }

    // MARK: hashes

    /// HSET: writes each field with a new dot, replacing the writes of it this replica has
    /// seen. A field given twice keeps its last value, as in Redis.
    @discardableResult
    public mutating func setFields(
        _ pairs: [(field: [UInt8], value: [UInt8])], by node: NodeID, at timestamp: HybridTimestamp, now: WallTime
    ) throws(WrongTypeError) -> StoredObject {
        var lastValue: [(field: [UInt8], value: [UInt8])] = []
        for pair in pairs {
            if let i = lastValue.firstIndex(where: { $0.field == pair.field }) {
                lastValue[i].value = pair.value
            } else {
                lastValue.append(pair)
            }
        }
        lastValue.sort { compareBytes($0.field, $1.field) < 0 }
        let expiresAt = try expiryForWrite(of: .hash, now: now)
        var removal = removal(seen: context, now: now, keeping: .hash)
        let fieldNames = lastValue.map(\.field)
        for field in hashFields where StoredObject.sortedContains(fieldNames, field.field) { removal.drop(field.stamp) }
        let dots = mint(lastValue.count, for: node, seen: context)
        removal.dots += dots
        var rest = Collections()
        rest.fields = zip(lastValue, dots).map {
            let stamp = WriteStamp(dot: $1, timestamp: timestamp, expiresAt: expiresAt)
            return HashField(field: $0.field, stamp: stamp, value: $0.value)
        }
        rest.baselines = removal.baselines
        return absorb(StoredObject(context: CausalContext(dots: removal.dots), register: [], collections: rest))
    }

    /// HDEL: removes the writes of each field this replica has seen.
    @discardableResult
    public mutating func removeFields(_ fields: [[UInt8]], now: WallTime) throws(WrongTypeError) -> StoredObject {
        try removeEntries(
            named: fields, of: .hash, now: now, entries: hashFields.lazy.map { ($0.field, $0.stamp) })
    }

    // MARK: helpers

    /// SREM and HDEL: removes the named entries of a set or hash by covering their dots
    /// (an add this replica has not seen survives, add-wins).
    private mutating func removeEntries(
        named names: [[UInt8]], of kind: Kind, now: WallTime,
        entries: some Sequence<(name: [UInt8], stamp: WriteStamp)>
    ) throws(WrongTypeError) -> StoredObject {
        let distinct = StoredObject.distinctSorted(names)
        _ = try expiryForWrite(of: kind, now: now)
        var removal = removal(seen: context, now: now, keeping: kind)
        for entry in entries where StoredObject.sortedContains(distinct, entry.name) { removal.drop(entry.stamp) }
        var rest = Collections()
        rest.baselines = removal.baselines
        return absorb(StoredObject(context: CausalContext(dots: removal.dots), register: [], collections: rest))
    }

    /// The expiry a write of `kind` carries (the key's, if it is already that kind), or
    /// WrongTypeError if the key is visibly another kind.
    private func expiryForWrite(of kind: Kind, now: WallTime) throws(WrongTypeError) -> WallTime? {
        guard let found = self.kind(at: now) else { return nil }
        guard found == kind else { throw WrongTypeError(found: found) }
        return expiry(at: now)
    }

    static func distinctSorted(_ items: [[UInt8]]) -> [[UInt8]] {
        var sorted = items.sorted { compareBytes($0, $1) < 0 }
        var write = 0
        for read in sorted.indices where write == 0 || sorted[write - 1] != sorted[read] {
            sorted[write] = sorted[read]
            write += 1
        }
        sorted.removeLast(sorted.count - write)
        return sorted
    }

    static func sortedContains(_ sorted: [[UInt8]], _ item: [UInt8]) -> Bool {
        var low = 0
        var high = sorted.count
        while low < high {
            let mid = (low + high) / 2
            if compareBytes(sorted[mid], item) < 0 { low = mid + 1 } else { high = mid }
        }
        return low < sorted.count && sorted[low] == item
    }
}
