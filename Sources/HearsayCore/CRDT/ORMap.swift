/// One write of one hash field: the field's value as one sibling of its register.
public struct HashField: DottedEntry, Hashable, CustomStringConvertible {
    public var field: [UInt8]
    public var stamp: WriteStamp
    public var value: [UInt8]

    public init(field: [UInt8], stamp: WriteStamp, value: [UInt8]) {
        self.field = field
        self.stamp = stamp
        self.value = value
    }

    public static func compareKeys(_ a: HashField, _ b: HashField) -> Int { compareBytes(a.field, b.field) }

    public static func payloadPrecedes(_ a: HashField, _ b: HashField) -> Bool {
        let stamps = WriteStamp.comparePayload(a.stamp, b.stamp)
        return stamps != 0 ? stamps < 0 : compareBytes(a.value, b.value) < 0
    }

    public var description: String { "\(field.count)B@\(stamp)=\(value.count)B" }
}

/// An observed-remove map from field to multi-value register, for Redis hashes (the ORMap of
/// Almeida et al. 2018, section 7.3, with one causal context shared by all fields). A field
/// is present while some write of it survives (add-wins: a write concurrent with HDEL stays);
/// concurrent writes of one field are siblings, and HGET returns their winner.
public struct ORMap: Equatable, Sendable {
    /// Sorted by (field, dot).
    public private(set) var fields: [HashField]
    public private(set) var context: CausalContext

    public init() {
        fields = []
        context = CausalContext()
    }

    init(fields: [HashField], context: CausalContext) {
        self.fields = fields
        self.context = context
    }

    /// Each present field with its winning value at `now`, sorted by field.
    public func entries(at now: WallTime) -> [(field: [UInt8], value: [UInt8])] {
        ORMap.winners(fields, at: now).map { ($0.field, $0.value) }
    }

    /// The winning write of each field at `now`; `fields` must be sorted by field.
    static func winners(_ fields: [HashField], at now: WallTime) -> [HashField] {
        var out: [HashField] = []
        for entry in fields where entry.stamp.isLive(at: now) {
            if let last = out.last, last.field == entry.field {
                if entry.stamp.winsOver(last.stamp) { out[out.count - 1] = entry }
            } else {
                out.append(entry)
            }
        }
        return out
    }

    public func value(of field: [UInt8], at now: WallTime) -> [UInt8]? {
        DotStore.winner(fields.filter { $0.field == field }, at: now)?.value
    }

    /// All live siblings of one field.
    public func siblings(of field: [UInt8], at now: WallTime) -> [HashField] {
        fields.filter { $0.field == field && $0.stamp.isLive(at: now) }
    }

    /// Writes `field` as `node`, replacing the writes of it this replica has seen.
    @discardableResult
    public mutating func set(
        _ field: [UInt8], to value: [UInt8], by node: NodeID, at timestamp: HybridTimestamp, expiresAt: WallTime? = nil
    ) -> ORMap {
        let dot = context.nextDot(for: node)
        var seen = fields.filter { $0.field == field }.map(\.stamp.dot)
        seen.append(dot)
        let stamp = WriteStamp(dot: dot, timestamp: timestamp, expiresAt: expiresAt)
        let entry = HashField(field: field, stamp: stamp, value: value)
        let delta = ORMap(fields: [entry], context: CausalContext(dots: seen))
        merge(delta)
        return delta
    }

    /// Removes the writes of `field` this replica has seen.
    @discardableResult
    public mutating func remove(_ field: [UInt8]) -> ORMap {
        let seen = fields.filter { $0.field == field }.map(\.stamp.dot)
        let delta = ORMap(fields: [], context: CausalContext(dots: seen))
        merge(delta)
        return delta
    }

    /// The join; commutative, associative and idempotent.
    public mutating func merge(_ other: ORMap) {
        fields = DotStore.join(fields, context, other.fields, other.context)
        context.merge(other.context)
    }
}
