/// The Merkle tree of one partition, over the leaf digests the keyspace keeps current.
///
/// The keyspace updates a leaf in O(1) on every write (a wrapping sum of its keys' causal
/// digests); inner nodes are recomputed here on demand, which costs about as much as reading
/// the leaves (64 of them by default) and so needs no caching or invalidation.
///
/// Shape: arity 8. A node is named by its depth in bits `d` and an index below `2^d`: the
/// root is (0, 0), and the node (d, i) covers the keys whose tree path starts with the `d`
/// bits of `i` (see `TreePath`). Stored depths are 0, 3, 6, ... up to `leafBits`, where the
/// nodes are the keyspace's leaves; an inner node is `StableHash.combine` folded over its
/// children in order, so it changes whenever any leaf below it does. Below the leaves an
/// exchange continues into virtual nodes (sums of key digests), computed by `TreePath`.
public struct MerkleTree: Equatable, Sendable {
    /// Bits per level: arity 8. Part of the exchange protocol; never change it in place.
    public static let bitsPerLevel = 3

    public let leafBits: Int
    /// `levels[k]` holds the nodes at depth `depths[k]`; the last level is the leaves.
    public private(set) var levels: [[UInt64]]

    /// Builds the tree over one partition's leaves (`Keyspace.leaves(ofPartition:)`).
    public init(leaves: ArraySlice<UInt64>) {
        precondition(
            !leaves.isEmpty && leaves.count & (leaves.count - 1) == 0,
            "leaves: a power of two, got \(leaves.count)")
        leafBits = leaves.count.trailingZeroBitCount
        let depths = MerkleTree.storedDepths(leafBits: leafBits)
        var built: [[UInt64]] = Array(repeating: [], count: depths.count)
        built[depths.count - 1] = Array(leaves)
        var k = depths.count - 1
        while k > 0 {
            let arity = 1 << (depths[k] - depths[k - 1])
            let children = built[k]
            built[k - 1] = (0..<(children.count / arity)).map { parent in
                MerkleTree.fold(children[(parent * arity)..<((parent + 1) * arity)])
            }
            k -= 1
        }
        levels = built
    }

    /// The tree of partition `p` of `keyspace`.
    public init(keyspace: Keyspace, partition p: Int) {
        self.init(leaves: keyspace.leaves(ofPartition: p))
    }

    public var root: UInt64 { levels[0][0] }

    /// The stored depths from the root down: 0, 3, 6, ... and finally `leafBits`.
    public static func storedDepths(leafBits: Int) -> [Int] {
        precondition(leafBits >= 0 && leafBits < 32, "leafBits \(leafBits) outside 0..<32")
        var depths = [0]
        while depths.last! < leafBits { depths.append(min(depths.last! + bitsPerLevel, leafBits)) }
        return depths
    }

    /// The digest of a stored node: `depth` one of `storedDepths`, `index < 2^depth`.
    public func digest(depth: Int, index: Int) -> UInt64 {
        guard let k = MerkleTree.storedDepths(leafBits: leafBits).firstIndex(of: depth) else {
            preconditionFailure("depth \(depth) is not stored for leafBits \(leafBits)")
        }
        return levels[k][index]
    }

    /// An inner node: the children folded in order, seeded with their count.
    static func fold(_ children: ArraySlice<UInt64>) -> UInt64 {
        var h = UInt64(children.count)
        for child in children { h = StableHash.combine(h, child) }
        return h
    }

    /// Every partition's root, in partition order (what HS.DIGEST shows and the inspector
    /// compares between replicas). Costs one pass over the leaf digests.
    public static func roots(of keyspace: Keyspace) -> [UInt64] {
        (0..<keyspace.partitionCount).map { MerkleTree(keyspace: keyspace, partition: $0).root }
    }
}
