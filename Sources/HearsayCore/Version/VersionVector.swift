/// A version vector: for each node, the highest counter such that all of that node's dots up
/// to it have been seen.
///
/// Stored as one array sorted by node with no zero entries, not a dictionary: a key written
/// by a few nodes costs a few 16-byte entries, merges are linear, and iteration order (and so
/// every encoding and digest) is the same in every process.
public struct VersionVector: Hashable, Sendable, CustomStringConvertible {
    public struct Entry: Hashable, Sendable {
        public var node: NodeID
        public var counter: UInt64
        @inlinable public init(node: NodeID, counter: UInt64) {
            self.node = node
            self.counter = counter
        }
    }

    /// Sorted by node, strictly increasing, every counter > 0.
    public private(set) var entries: [Entry]

    public init() { entries = [] }

    /// Entries in any order; duplicates keep the larger counter and zero counters are dropped.
    public init(_ pairs: [(NodeID, UInt64)]) {
        entries = []
        for (node, counter) in pairs { raise(node, to: counter) }
    }

    public var isEmpty: Bool { entries.isEmpty }

    @usableFromInline func index(of node: NodeID) -> (found: Bool, index: Int) {
        var low = 0
        var high = entries.count
        while low < high {
            let mid = (low + high) / 2
            if entries[mid].node < node { low = mid + 1 } else { high = mid }
        }
        return (low < entries.count && entries[low].node == node, low)
    }

    /// The counter recorded for `node`, 0 if none.
    public subscript(node: NodeID) -> UInt64 {
        let (found, i) = index(of: node)
        return found ? entries[i].counter : 0
    }

    public func contains(_ dot: Dot) -> Bool { dot.counter <= self[dot.node] }

    /// Sets `node`'s counter to at least `counter`.
    public mutating func raise(_ node: NodeID, to counter: UInt64) {
        guard counter > 0 else { return }
        let (found, i) = index(of: node)
        if found {
            if entries[i].counter < counter { entries[i].counter = counter }
        } else {
            entries.insert(Entry(node: node, counter: counter), at: i)
        }
    }

    /// Pointwise maximum: the join of version vectors.
    public mutating func merge(_ other: VersionVector) {
        if other.entries.isEmpty || self == other { return }
        if entries.isEmpty {
            entries = other.entries
            return
        }
        var out: [Entry] = []
        out.reserveCapacity(entries.count + other.entries.count)
        var i = 0
        var j = 0
        while i < entries.count || j < other.entries.count {
            if j == other.entries.count || (i < entries.count && entries[i].node < other.entries[j].node) {
                out.append(entries[i])
                i += 1
            } else if i == entries.count || other.entries[j].node < entries[i].node {
                out.append(other.entries[j])
                j += 1
            } else {
                out.append(Entry(node: entries[i].node, counter: max(entries[i].counter, other.entries[j].counter)))
                i += 1
                j += 1
            }
        }
        entries = out
    }

    public func merged(_ other: VersionVector) -> VersionVector {
        var copy = self
        copy.merge(other)
        return copy
    }

    /// True when this vector has seen everything `other` has (self >= other pointwise).
    public func descends(_ other: VersionVector) -> Bool {
        other.entries.allSatisfy { self[$0.node] >= $0.counter }
    }

    /// True when neither vector descends the other.
    public func isConcurrent(with other: VersionVector) -> Bool { !descends(other) && !other.descends(self) }

    public var description: String {
        "[" + entries.map { "\($0.node):\($0.counter)" }.joined(separator: ",") + "]"
    }

    // MARK: encoding

    /// Unversioned body, for embedding in other encodings.
    public func encode(into writer: inout ByteWriter) {
        writer.varint(UInt64(entries.count))
        for entry in entries { Dot(node: entry.node, counter: entry.counter).encode(into: &writer) }
    }

    /// Rejects unsorted or duplicate nodes, so every state has exactly one encoding.
    public static func decode(from reader: inout ByteReader) throws(DecodeError) -> VersionVector {
        let count = try reader.count(minimumItemSize: Dot.encodedSizeMin)
        var vector = VersionVector()
        vector.entries.reserveCapacity(count)
        for _ in 0..<count {
            let dot = try Dot.decode(from: &reader)
            if let last = vector.entries.last, !(last.node < dot.node) {
                throw .malformed("version vector nodes not strictly increasing")
            }
            vector.entries.append(Entry(node: dot.node, counter: dot.counter))
        }
        return vector
    }

    public static let formatVersion: UInt8 = 1

    /// Versioned standalone encoding: a format byte, then the body.
    public var encoded: [UInt8] {
        var writer = ByteWriter(capacity: 2 + entries.count * 10)
        writer.u8(VersionVector.formatVersion)
        encode(into: &writer)
        return writer.takeBytes()
    }

    public init(decoding bytes: [UInt8]) throws(DecodeError) {
        var reader = ByteReader(bytes)
        let version = try reader.u8()
        guard version == VersionVector.formatVersion else { throw .unsupportedVersion(version) }
        self = try VersionVector.decode(from: &reader)
        try reader.expectEnd()
    }

    /// An opaque token a client can hand back (base64url of `encoded`, no padding).
    public var opaqueText: String { OpaqueText.encode(encoded) }

    public init(opaqueText: String) throws(DecodeError) {
        try self.init(decoding: try OpaqueText.decode(opaqueText))
    }
}
