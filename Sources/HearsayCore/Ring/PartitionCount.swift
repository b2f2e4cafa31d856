/// The number of partitions P: a power of two fixed when the cluster is created
/// (256 by default), so that a key's partition never changes for the life of the cluster.
public struct PartitionCount: Hashable, Sendable, CustomStringConvertible {
    /// The largest P we accept: a preference list table is P rows long, and
    /// Merkle trees and handoff are per partition, so more buys nothing.
    public static let maximum = 1 << 16

    public static let `default` = PartitionCount(256)

    public let value: Int
    /// log2(value): a key's partition is the top `bits` bits of its mixed hash.
    public let bits: Int

    /// P MUST be a power of two in 1...65536; anything else is a configuration bug.
    public init(_ value: Int) {
        precondition(
            value >= 1 && value <= PartitionCount.maximum && value & (value - 1) == 0,
            "partition count must be a power of two in 1...\(PartitionCount.maximum), got \(value)")
        self.value = value
        self.bits = value.trailingZeroBitCount
    }

    /// Validating form for settings read from outside (a flag, a peer's hello).
    public static func validated(_ value: Int) -> PartitionCount? {
        guard value >= 1 && value <= maximum && value & (value - 1) == 0 else { return nil }
        return PartitionCount(value)
    }

    /// The partition of a 64-bit key hash. The hash is multiplied by 2^64/phi
    /// (Fibonacci hashing) and the top bits are taken, so every input bit
    /// influences the result even if a future hash mixes its low bits poorly.
    @inlinable
    public func partition(ofHash hash: UInt64) -> PartitionID {
        guard bits > 0 else { return PartitionID(UInt32(0)) }
        let mixed = hash &* 0x9E37_79B9_7F4A_7C15
        return PartitionID(UInt32(truncatingIfNeeded: mixed >> UInt64(64 - bits)))
    }

    /// The partition of `key` (`KeyHash`: its hash tag's, if it has one). Allocates nothing.
    @inlinable
    public func partition(of key: UnsafeRawBufferPointer) -> PartitionID {
        partition(ofHash: KeyHash.hash(key))
    }

    @inlinable
    public func partition(of key: [UInt8]) -> PartitionID {
        key.withUnsafeBytes { partition(of: $0) }
    }

    public var description: String { "\(value)" }
}
