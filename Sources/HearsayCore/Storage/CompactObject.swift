/// Converts between an entry's compact header form and the full `StoredObject`.
///
/// A compact entry is exactly the object whose causal context is the single dot of its
/// single write (or, for a tombstone, of its last write). Both directions are exact, so
/// digests and merges never depend on which form a replica happens to hold.
enum CompactObject {
    static func expiryNanoseconds(_ milliseconds: Int64) -> Int64 {
        milliseconds == 0 ? WriteStamp.neverExpires : milliseconds &* 1_000_000
    }

    static func expiryMilliseconds(_ nanoseconds: Int64) -> Int64 {
        nanoseconds == WriteStamp.neverExpires ? 0 : nanoseconds / 1_000_000
    }

    /// The full object an entry holds.
    static func materialize(_ box: EntryBox) -> StoredObject {
        let h = box.header
        if h.state == .extended { return h.extended!.object }
        let dot = Dot(node: NodeID(h.writer), counter: h.counter)
        let context = CausalContext(VersionVector([(dot.node, dot.counter)]))
        let stamp = WriteStamp(dot: dot, timestamp: h.timestamp, expiresAt: nil)
        var stamped = stamp
        stamped.expiryNanoseconds = expiryNanoseconds(h.expiresAtMilliseconds)
        switch h.state {
        case .string:
            let sibling = RegisterSibling(stamp: stamped, value: box.withValue { Array($0) })
            return StoredObject(context: context, register: [sibling], collections: .init())
        case .counter:
            var rest = StoredObject.Collections()
            rest.counter = [CounterEntry(stamp: stamped, origin: box.counterOrigin, net: box.counterNet, floatNet: 0)]
            return StoredObject(context: context, register: [], collections: rest)
        case .tombstone:
            return StoredObject(context: context, register: [], collections: .init())
        case .extended:
            preconditionFailure("handled above")
        }
    }

    /// The compact form of `object`, if it has one.
    enum Form {
        case string(dot: Dot, timestamp: HybridTimestamp, expiresAtMilliseconds: Int64, value: [UInt8])
        case counter(dot: Dot, timestamp: HybridTimestamp, expiresAtMilliseconds: Int64, origin: UInt64, net: Int64)
        case tombstone(dot: Dot)
    }

    static func form(of object: StoredObject) -> Form? {
        let context = object.context
        guard context.cloud.isEmpty, context.versionVector.entries.count == 1 else { return nil }
        let only = context.versionVector.entries[0]
        let dot = Dot(node: only.node, counter: only.counter)
        let rest = object.collections
        guard rest.baselines.isEmpty, rest.members.isEmpty, rest.fields.isEmpty else { return nil }
        // Expiry must survive the millisecond round trip exactly.
        func exactMilliseconds(_ stamp: WriteStamp) -> Int64? {
            let ms = expiryMilliseconds(stamp.expiryNanoseconds)
            return expiryNanoseconds(ms) == stamp.expiryNanoseconds && (ms != 0 || stamp.expiresAt == nil) ? ms : nil
        }
        switch (object.register.count, rest.counter.count) {
        case (0, 0):
            return .tombstone(dot: dot)
        case (1, 0):
            let sibling = object.register[0]
            guard sibling.stamp.dot == dot, let ms = exactMilliseconds(sibling.stamp) else { return nil }
            return .string(
                dot: dot, timestamp: sibling.stamp.timestamp, expiresAtMilliseconds: ms, value: sibling.value)
        case (0, 1):
            let entry = rest.counter[0]
            guard entry.stamp.dot == dot, entry.floatNet == 0, entry.floatNet.sign == .plus,
                let ms = exactMilliseconds(entry.stamp)
            else { return nil }
            return .counter(
                dot: dot, timestamp: entry.stamp.timestamp, expiresAtMilliseconds: ms,
                origin: entry.origin, net: entry.net)
        default:
            return nil
        }
    }
}

/// The Merkle-leaf digest of an entry: `StoredObject.causalDigest`, computed from the header
/// alone for compact entries (the write path must not materialise objects).
enum EntryDigest {
    @inline(__always)
    static func part(_ tag: UInt64, _ node: UInt64, _ counter: UInt64) -> UInt64 {
        StableHash.combine(StableHash.combine(tag, node), counter)
    }

    static func digest(_ box: EntryBox) -> UInt64 {
        let h = box.header
        var sum: UInt64 = 0
        switch h.state {
        case .extended:
            return h.extended!.object.causalDigest(keyHash: h.hash)
        case .tombstone:
            sum = part(1, h.writer, h.counter)
        case .string, .counter:
            let kind = h.state == .string ? StoredObject.Kind.string : .counter
            sum = part(1, h.writer, h.counter)
            sum &+= part(0x10 + UInt64(kind.rawValue), h.writer, h.counter)
            let expiry = CompactObject.expiryNanoseconds(h.expiresAtMilliseconds)
            sum &+= StableHash.combine(UInt64(bitPattern: expiry), h.counter)
        }
        return StableHash.combine(h.hash, sum)
    }
}

extension CompactObject {
    /// The encoding of the object `box` holds (`materialize(box).encoded`), written straight
    /// from a compact string entry's header and value; other states go through
    /// `materialize`. A coordinator encodes every write it replicates, so this is hot.
    static func encoded(_ box: EntryBox) -> [UInt8] {
        var writer = ByteWriter(capacity: 48 + Int(box.header.valueCount))
        encode(box, into: &writer)
        return writer.takeBytes()
    }

    /// Appends the encoding of `box`'s object to `writer` (see `encoded`).
    static func encode(_ box: EntryBox, into writer: inout ByteWriter) {
        let h = box.header
        guard h.state == .string else { return materialize(box).encode(into: &writer) }
        let dot = Dot(node: NodeID(h.writer), counter: h.counter)
        writer.u8(StoredObject.formatVersion)
        // Context: a one-entry version vector, no cloud.
        writer.varint(1)
        dot.encode(into: &writer)
        writer.varint(0)
        // One register sibling: its stamp and value.
        writer.varint(1)
        var stamp = WriteStamp(dot: dot, timestamp: h.timestamp)
        stamp.expiryNanoseconds = expiryNanoseconds(h.expiresAtMilliseconds)
        stamp.encode(into: &writer)
        box.withValue { writer.lengthPrefixed($0) }
        // No counter entries, baselines, set members or hash fields.
        for _ in 0..<4 { writer.varint(0) }
    }
}
