/// The hash a key is stored, placed and digested by: its StableHash, except that a key with
/// a hash tag (Redis Cluster's rule: the bytes between its first `{` and the next `}`, when
/// there are any) lands in the partition of its tag. Related keys (`{user:42}:name`,
/// `{user:42}:cart`) then share a partition, so one script or transaction can touch them on
/// one coordinator.
///
/// Partitions and Merkle leaves read the top bits of `hash * golden` (`PartitionCount`,
/// `Keyspace`); a tagged key's hash is built so that those top 16 bits are its tag's and the
/// rest its own: `((tag * golden) top 16 | (key * golden) low 48) * golden⁻¹`. Up to 65,536
/// partitions follow the tag; the key table and digests still see a hash of the whole key.
public enum KeyHash {
    @usableFromInline static let golden: UInt64 = 0x9E37_79B9_7F4A_7C15
    @usableFromInline static let goldenInverse: UInt64 = 0xF1DE_83E1_9937_733D
    @usableFromInline static let tagBits: UInt64 = 0xFFFF_0000_0000_0000

    @inlinable
    public static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let whole = StableHash.hash(key)
        guard let tag = tag(of: key) else { return whole }
        let placed = (StableHash.hash(tag) &* golden) & tagBits
        let own = (whole &* golden) & ~tagBits
        return (placed | own) &* goldenInverse
    }

    @inlinable
    public static func hash(_ key: [UInt8]) -> UInt64 { key.withUnsafeBytes { hash($0) } }

    /// The bytes between the first `{` and the next `}`, when that is not empty.
    @inlinable
    public static func tag(of key: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer? {
        guard let open = key.firstIndex(of: UInt8(ascii: "{")) else { return nil }
        guard let close = key[(open + 1)...].firstIndex(of: UInt8(ascii: "}")), close > open + 1 else { return nil }
        return UnsafeRawBufferPointer(rebasing: key[(open + 1)..<close])
    }
}
