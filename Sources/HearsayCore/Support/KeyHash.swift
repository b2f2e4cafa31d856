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

    @inlinable @inline(__always)
    public static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 {
        let whole = StableHash.hash(key)
        guard let base = key.baseAddress, mayHaveTag(base, key.count) else { return whole }
        return tagged(key, whole: whole)
    }

    /// The hash of a key that has a `{`: its tag's partition bits under its own, if the tag
    /// is not empty. Out of line: the request path inlines only the check.
    @inline(never)
    public static func tagged(_ key: UnsafeRawBufferPointer, whole: UInt64) -> UInt64 {
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
        guard let base = key.baseAddress, let open = find(UInt8(ascii: "{"), base, from: 0, to: key.count),
            let close = find(UInt8(ascii: "}"), base, from: open + 1, to: key.count), close > open + 1
        else { return nil }
        return UnsafeRawBufferPointer(start: base + open + 1, count: close - open - 1)
    }

    /// Whether the key has a `{` at all, eight bytes a step (the last step overlapping the
    /// one before): every key is checked on every request, almost none has a tag.
    @inlinable @inline(__always)
    static func mayHaveTag(_ base: UnsafeRawPointer, _ n: Int) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let pattern = ones &* UInt64(UInt8(ascii: "{"))
        guard n >= 8 else {
            for i in 0..<n where base.load(fromByteOffset: i, as: UInt8.self) == UInt8(ascii: "{") { return true }
            return false
        }
        var found: UInt64 = 0
        var i = 0
        while true {
            let word = base.loadUnaligned(fromByteOffset: min(i, n - 8), as: UInt64.self) ^ pattern
            found |= (word &- ones) & ~word
            i += 8
            if i >= n { break }
        }
        return found & 0x8080_8080_8080_8080 != 0
    }

    /// The first index of `byte` in `base[from..<to]`, eight bytes a step: every key is
    /// scanned for a `{` on every request, so the scan must cost next to nothing.
    @inlinable @inline(__always)
    static func find(_ byte: UInt8, _ base: UnsafeRawPointer, from: Int, to: Int) -> Int? {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let pattern = ones &* UInt64(byte)
        var i = from
        while i + 8 <= to {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ pattern
            let zeroes = (word &- ones) & ~word & highs
            if zeroes != 0 { return i + zeroes.trailingZeroBitCount >> 3 }
            i += 8
        }
        while i < to {
            if base.load(fromByteOffset: i, as: UInt8.self) == byte { return i }
            i += 1
        }
        return nil
    }
}
