/// Where a key sits in a partition's exchange tree, and the salted fingerprints an exchange
/// sends instead of full digests.
///
/// A key's path is 64 bits: the top `leafBits` are its leaf within the partition (exactly as
/// the keyspace files it), the rest come from a fixed rehash of the key hash, so the virtual
/// levels below a leaf split its keys evenly. Node (d, i) holds the keys whose path starts
/// with the `d` bits of `i`. Part of the protocol: both replicas MUST compute the same paths.
struct TreePath {
    /// The rehash seed for the bits below the leaf. Never change it in place.
    static let belowLeafSeed: UInt64 = 0x4845_4152_5341_5921

    let leafBits: Int
    let leafMask: Int

    init(leafBits: Int) {
        precondition(leafBits >= 0 && leafBits < 32, "leafBits \(leafBits) outside 0..<32")
        self.leafBits = leafBits
        leafMask = (1 << leafBits) - 1
    }

    /// The path of a key whose global leaf is `leaf`.
    @inline(__always)
    func path(keyHash: UInt64, leaf: Int) -> UInt64 {
        let within = UInt64(leaf & leafMask)
        let below = StableHash.combine(keyHash, TreePath.belowLeafSeed) >> UInt64(leafBits)
        return leafBits == 0 ? below : (within << UInt64(64 - leafBits)) | below
    }

    /// The index at depth `depth` (bits) of a path.
    @inline(__always)
    static func index(of path: UInt64, depth: Int) -> UInt64 {
        depth == 0 ? 0 : path >> UInt64(64 - depth)
    }

    /// The depth of a node's children: 3 bits further, but stopping once at the leaves so the
    /// stored levels line up with `MerkleTree`.
    func childDepth(of depth: Int) -> Int {
        depth < leafBits ? min(depth + MerkleTree.bitsPerLevel, leafBits) : depth + MerkleTree.bitsPerLevel
    }
}

/// A 32-bit fingerprint of a 64-bit digest, salted per session. Truncation keeps messages
/// small; the salt makes a collision (probability 2^-32 per comparison) a one-session miss
/// that the next session, with another salt, repairs, instead of a permanent blind spot.
@inline(__always)
func fingerprint(_ digest: UInt64, salt: UInt64) -> UInt32 {
    UInt32(truncatingIfNeeded: StableHash.combine(digest, salt) >> 32)
}
