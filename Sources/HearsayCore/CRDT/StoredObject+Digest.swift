/// Summaries of an object for anti-entropy and memory accounting.
extension StoredObject {
    /// A 64-bit digest of the key and its causal state, for Merkle leaves: equal on every
    /// replica holding the same state, and different (with high probability) when the states
    /// differ. It covers the context, the surviving dots and the counter baselines; a dot
    /// names one write's payload, so the payloads need no hashing. Parts are combined by
    /// wrapping addition, so the digest does not depend on any iteration order.
    public func causalDigest(key: [UInt8]) -> UInt64 { causalDigest(keyHash: KeyHash.hash(key)) }

    /// The same digest given the key's StableHash (the store keeps it, so it need not rehash).
    public func causalDigest(keyHash: UInt64) -> UInt64 {
        var sum: UInt64 = 0
        func add(_ tag: UInt64, _ node: NodeID, _ counter: UInt64) {
            sum &+= StableHash.combine(StableHash.combine(tag, node.rawValue), counter)
        }
        for entry in context.versionVector.entries { add(1, entry.node, entry.counter) }
        for dot in context.cloud { add(2, dot.node, dot.counter) }
        forEachStamp { kind, stamp in
            add(0x10 + UInt64(kind.rawValue), stamp.dot.node, stamp.dot.counter)
            // Purging an expired entry changes the state, so expiry is part of it too.
            sum &+= StableHash.combine(UInt64(bitPattern: stamp.expiryNanoseconds), stamp.dot.counter)
        }
        for baseline in counterBaselines { add(3, baseline.node, baseline.counter) }
        return StableHash.combine(keyHash, sum)
    }

    /// Approximate bytes this object occupies in memory, excluding the key: the inline struct,
    /// each heap array's header and elements, and each byte string's header and bytes. Meant
    /// for memory limits and eviction, not exact to the byte.
    public var approximateByteSize: Int {
        let arrayHeader = 32
        func array<T>(_ count: Int, _ type: T.Type) -> Int {
            count == 0 ? 0 : arrayHeader + count * MemoryLayout<T>.stride
        }
        func bytes(_ b: [UInt8]) -> Int { b.isEmpty ? 0 : arrayHeader + b.count }
        var total = MemoryLayout<StoredObject>.stride
        total += array(context.versionVector.entries.count, VersionVector.Entry.self)
        total += array(context.cloud.count, Dot.self)
        total += array(register.count, RegisterSibling.self) + register.reduce(0) { $0 + bytes($1.value) }
        guard box != nil else { return total }
        let rest = collections
        total += 16 + MemoryLayout<Collections>.stride
        total += array(rest.counter.count, CounterEntry.self) + array(rest.baselines.count, CounterBaseline.self)
        total += array(rest.members.count, SetMember.self) + rest.members.reduce(0) { $0 + bytes($1.element) }
        total += array(rest.fields.count, HashField.self)
        total += rest.fields.reduce(0) { $0 + bytes($1.field) + bytes($1.value) }
        return total
    }

    /// Metadata bytes beyond the value bytes themselves, for the per-key overhead budget.
    public var approximateMetadataByteSize: Int {
        var payload = register.reduce(0) { $0 + $1.value.count }
        payload += setMembers.reduce(0) { $0 + $1.element.count }
        payload += hashFields.reduce(0) { $0 + $1.field.count + $1.value.count }
        return approximateByteSize - payload
    }
}
