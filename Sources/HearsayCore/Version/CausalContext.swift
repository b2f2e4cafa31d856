/// Every dot a replica has seen for one key: a version vector for the contiguous prefix of
/// each node's dots plus a "dot cloud" for dots that arrived out of order.
///
/// This is the causal context of delta-state CRDTs (Almeida et al. 2018, section 5.1). Deltas
/// and removals produce gaps, so a context is not always a version vector; `compact` folds
/// every cloud dot that closes a gap back into the vector, which keeps the cloud empty in the
/// common case. Two replicas that have seen the same dots hold identical contexts.
public struct CausalContext: Hashable, Sendable, CustomStringConvertible {
    public private(set) var versionVector: VersionVector
    /// Sorted, no duplicates; each dot's counter exceeds its node's vector entry by at least 2.
    public private(set) var cloud: [Dot]

    public init() {
        versionVector = VersionVector()
        cloud = []
    }

    public init(_ versionVector: VersionVector) {
        self.versionVector = versionVector
        cloud = []
    }

    /// A context holding exactly `dots` (compacted; a dot given twice is held once).
    public init(dots: [Dot]) {
        self.init()
        cloud = dots.sorted()
        compact()
    }

    public var isEmpty: Bool { versionVector.isEmpty && cloud.isEmpty }

    /// The cloud is sorted without duplicates and holds no dot the vector covers or could
    /// absorb (what `compact` keeps).
    var isWellFormed: Bool {
        zip(cloud, cloud.dropFirst()).allSatisfy { $0 < $1 }
            && cloud.allSatisfy { $0.counter > versionVector[$0.node] &+ 1 }
    }

    public func contains(_ dot: Dot) -> Bool {
        if versionVector.contains(dot) { return true }
        if cloud.isEmpty { return false }
        var low = 0
        var high = cloud.count
        while low < high {
            let mid = (low + high) / 2
            if cloud[mid] < dot { low = mid + 1 } else { high = mid }
        }
        return low < cloud.count && cloud[low] == dot
    }

    /// The largest counter seen for `node`, including out-of-order dots.
    public func maxCounter(for node: NodeID) -> UInt64 {
        var result = versionVector[node]
        for dot in cloud where dot.node == node { result = max(result, dot.counter) }
        return result
    }

    /// The next dot `node` may issue after everything in this context.
    public func nextDot(for node: NodeID) -> Dot {
        let counter = maxCounter(for: node)
        precondition(counter < .max, "dot counter for \(node) exhausted")
        return Dot(node: node, counter: counter + 1)
    }

    public mutating func insert(_ dot: Dot) {
        if contains(dot) { return }
        if dot.counter == versionVector[dot.node] + 1 {
            versionVector.raise(dot.node, to: dot.counter)
            if !cloud.isEmpty { compact() }
            return
        }
        let i = cloud.firstIndex { dot < $0 } ?? cloud.count
        cloud.insert(dot, at: i)
    }

    /// Records that every dot of `node` up to `counter` has been seen. A node mints dots for
    /// a key only on its own copy of it, in order, so its copy has seen all of them: the
    /// store raises its own entry to the node-wide counter before minting (see Keyspace).
    public mutating func raise(_ node: NodeID, to counter: UInt64) {
        guard counter > versionVector[node] else { return }
        versionVector.raise(node, to: counter)
        if !cloud.isEmpty { compact() }
    }

    /// The join: union of the seen dots.
    public mutating func merge(_ other: CausalContext) {
        versionVector.merge(other.versionVector)
        if !other.cloud.isEmpty {
            cloud = CausalContext.union(cloud, other.cloud)
        }
        if !cloud.isEmpty { compact() }
    }

    public func merged(_ other: CausalContext) -> CausalContext {
        var copy = self
        copy.merge(other)
        return copy
    }

    static func union(_ a: [Dot], _ b: [Dot]) -> [Dot] {
        var out: [Dot] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0
        var j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                out.append(a[i])
                i += 1
            } else if i == a.count || b[j] < a[i] {
                out.append(b[j])
                j += 1
            } else {
                out.append(a[i])
                i += 1
                j += 1
            }
        }
        return out
    }

    /// Folds cloud dots that extend the vector into it and drops those it already covers, and
    /// a dot that appears twice. The cloud is sorted by node then counter, so one pass suffices.
    mutating func compact() {
        var kept: [Dot] = []
        for dot in cloud where kept.last != dot {
            let covered = versionVector[dot.node]
            if dot.counter <= covered { continue }
            if dot.counter == covered + 1 {
                versionVector.raise(dot.node, to: dot.counter)
            } else {
                kept.append(dot)
            }
        }
        cloud = kept
    }

    public var description: String { "\(versionVector)+\(cloud)" }

    // MARK: encoding

    public func encode(into writer: inout ByteWriter) {
        versionVector.encode(into: &writer)
        writer.varint(UInt64(cloud.count))
        for dot in cloud { dot.encode(into: &writer) }
    }

    /// Accepts only the compacted canonical form, so equal contexts have equal bytes.
    public static func decode(from reader: inout ByteReader) throws(DecodeError) -> CausalContext {
        var context = CausalContext(try VersionVector.decode(from: &reader))
        let count = try reader.count(minimumItemSize: Dot.encodedSizeMin)
        context.cloud.reserveCapacity(count)
        for _ in 0..<count {
            let dot = try Dot.decode(from: &reader)
            if let last = context.cloud.last, !(last < dot) { throw .malformed("dot cloud not sorted") }
            let covered = context.versionVector[dot.node]
            guard dot.counter > covered, dot.counter - covered >= 2 else {
                throw .malformed("dot cloud not compacted")
            }
            context.cloud.append(dot)
        }
        return context
    }

    public static let formatVersion: UInt8 = 1

    /// Versioned standalone encoding: a format byte, then the body.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 4 + (versionVector.entries.count + cloud.count) * 10)
        writer.u8(CausalContext.formatVersion)
        encode(into: &writer)
        return writer.takeBytes()
    }

    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        let version = try reader.u8()
        guard version == CausalContext.formatVersion else { throw .unsupportedVersion(version) }
        self = try CausalContext.decode(from: &reader)
        try reader.expectEnd()
    }

    /// An opaque token a client can hand back (base64url of `encoded`, no padding).
    public var opaqueText: String { OpaqueText.encode(encoded) }

    public init(opaqueText: String) throws(DecodeError) {
        try self.init(decoding: try OpaqueText.decode(opaqueText))
    }
}
