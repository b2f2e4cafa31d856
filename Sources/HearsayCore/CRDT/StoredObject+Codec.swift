/// The versioned binary form of a stored object, for persistence, hints and peer messages.
///
/// Layout (format 1): a format byte, the causal context, then five counted sections: register
/// siblings, counter entries, counter baselines, set members, hash fields. Decoding accepts
/// only the canonical form (sorted, compacted, every dot in the context, no dot twice), so
/// equal objects have equal bytes. It never traps: every count is checked against the bytes
/// left before anything is reserved, and any violation is a `DecodeError`.
extension StoredObject {
    /// ONLY ADD NEW VERSIONS: stored and exchanged bytes carry this number.
    public static let formatVersion: UInt8 = 1

    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 64)
        encode(into: &writer)
        return writer.takeBytes()
    }

    public func encode(into writer: inout ByteWriter) {
        writer.u8(StoredObject.formatVersion)
        context.encode(into: &writer)
        writer.varint(UInt64(register.count))
        for sibling in register {
            sibling.stamp.encode(into: &writer)
            writer.lengthPrefixed(sibling.value)
        }
        let rest = collections
        writer.varint(UInt64(rest.counter.count))
        for entry in rest.counter {
            entry.stamp.encode(into: &writer)
            writer.varint(entry.origin)
            writer.zigzag(entry.net)
            writer.u64(entry.floatNet.bitPattern)
        }
        writer.varint(UInt64(rest.baselines.count))
        for baseline in rest.baselines {
            Dot(node: baseline.node, counter: baseline.counter).encode(into: &writer)
            writer.zigzag(baseline.net)
            writer.u64(baseline.floatNet.bitPattern)
        }
        writer.varint(UInt64(rest.members.count))
        for member in rest.members {
            writer.lengthPrefixed(member.element)
            member.stamp.encode(into: &writer)
        }
        writer.varint(UInt64(rest.fields.count))
        for field in rest.fields {
            writer.lengthPrefixed(field.field)
            field.stamp.encode(into: &writer)
            writer.lengthPrefixed(field.value)
        }
    }

    /// Decodes a whole byte string; trailing bytes are an error.
    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        self = try StoredObject.decode(from: &reader)
        try reader.expectEnd()
    }

    public static func decode(from reader: inout ByteReader) throws(DecodeError) -> StoredObject {
        let version = try reader.u8()
        guard version == formatVersion else { throw .unsupportedVersion(version) }
        let context = try CausalContext.decode(from: &reader)
        var register: [RegisterSibling] = []
        for _ in 0..<(try reader.count(minimumItemSize: WriteStamp.encodedSizeMin + 1)) {
            let stamp = try WriteStamp.decode(from: &reader)
            register.append(RegisterSibling(stamp: stamp, value: try reader.lengthPrefixed()))
        }
        var rest = Collections()
        for _ in 0..<(try reader.count(minimumItemSize: WriteStamp.encodedSizeMin + 10)) {
            let stamp = try WriteStamp.decode(from: &reader)
            let origin = try reader.varint()
            guard origin > 0, origin <= stamp.dot.counter else { throw .malformed("counter origin \(origin)") }
            let net = try reader.zigzag()
            let floatNet = Double(bitPattern: try reader.u64())
            rest.counter.append(CounterEntry(stamp: stamp, origin: origin, net: net, floatNet: floatNet))
        }
        for _ in 0..<(try reader.count(minimumItemSize: Dot.encodedSizeMin + 9)) {
            let dot = try Dot.decode(from: &reader)
            let net = try reader.zigzag()
            let baseline = CounterBaseline(
                node: dot.node, counter: dot.counter, net: net, floatNet: Double(bitPattern: try reader.u64()))
            if let last = rest.baselines.last, !(last.node < baseline.node) {
                throw .malformed("counter baselines not sorted")
            }
            guard context.contains(dot) else { throw .malformed("counter baseline outside context") }
            rest.baselines.append(baseline)
        }
        for _ in 0..<(try reader.count(minimumItemSize: WriteStamp.encodedSizeMin + 1)) {
            let element = try reader.lengthPrefixed()
            rest.members.append(SetMember(element: element, stamp: try WriteStamp.decode(from: &reader)))
        }
        for _ in 0..<(try reader.count(minimumItemSize: WriteStamp.encodedSizeMin + 2)) {
            let field = try reader.lengthPrefixed()
            let stamp = try WriteStamp.decode(from: &reader)
            rest.fields.append(HashField(field: field, stamp: stamp, value: try reader.lengthPrefixed()))
        }
        let object = StoredObject(context: context, register: register, collections: rest)
        try object.validate()
        return object
    }

    /// The invariants merges rely on: each store sorted and inside the context, no dot twice.
    func validate() throws(DecodeError) {
        let rest = collections
        guard DotStore.isWellFormed(register, in: context), DotStore.isWellFormed(rest.counter, in: context),
            DotStore.isWellFormed(rest.members, in: context), DotStore.isWellFormed(rest.fields, in: context)
        else { throw .malformed("dot store unsorted or outside its context") }
        let dots = allStamps().map(\.1.dot).sorted()
        for i in dots.indices.dropFirst() where dots[i - 1] == dots[i] {
            throw .malformed("dot \(dots[i]) used twice")
        }
    }
}
