/// One event in a key's causal history: the `counter`-th write that `node` made to that key.
///
/// Dots name writes (Almeida et al., "Delta State Replicated Data Types", 2018, section 5):
/// a CRDT keeps the dots of the writes still visible and a causal context of every dot seen,
/// so a dot that is seen but no longer kept was removed, without any tombstone.
public struct Dot: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var node: NodeID
    /// Starts at 1; counters are per key and per node.
    public var counter: UInt64

    @inlinable public init(node: NodeID, counter: UInt64) {
        self.node = node
        self.counter = counter
    }

    @inlinable public static func < (a: Dot, b: Dot) -> Bool {
        a.node != b.node ? a.node < b.node : a.counter < b.counter
    }

    public var description: String { "\(node):\(counter)" }

    /// Node id fixed-width (ids are random 64-bit values), counter as a varint.
    @inlinable public func encode(into writer: inout ByteWriter) {
        writer.u64(node.rawValue)
        writer.varint(counter)
    }

    public static func decode(from reader: inout ByteReader) throws(DecodeError) -> Dot {
        let node = NodeID(try reader.u64())
        let counter = try reader.varint()
        guard counter > 0 else { throw .malformed("dot counter 0") }
        return Dot(node: node, counter: counter)
    }

    /// The fewest bytes one encoded dot takes; bounds counts while decoding.
    public static let encodedSizeMin = 9
}
