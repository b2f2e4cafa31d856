/// A fixed 64-bit hash of bytes, identical on every platform and in every process.
///
/// Swift's `Hasher` is seeded per process, so it must never decide anything that
/// crosses a process: partitions, Merkle leaves and digests all use this instead.
/// The mixing follows wyhash's structure (64x64->128 multiply, folded).
public enum StableHash {
    @usableFromInline static let p0: UInt64 = 0xa076_1d64_78bd_642f
    @usableFromInline static let p1: UInt64 = 0xe703_7ed1_a0b4_28db
    @usableFromInline static let p2: UInt64 = 0x8ebc_6af0_9c88_c6e3
    @usableFromInline static let p3: UInt64 = 0x5899_65cc_7537_4cc3

    @inlinable @inline(__always)
    static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let r = a.multipliedFullWidth(by: b)
        return r.high ^ r.low
    }

    @inlinable @inline(__always)
    static func read64(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable @inline(__always)
    static func read32(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(UInt32(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt32.self)))
    }

    /// Hashes `bytes` with `seed`. Seed 0 is the one placement and digests use.
    @inlinable
    public static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        var h = seed ^ mix(seed ^ p0, p1) ^ UInt64(truncatingIfNeeded: n)
        guard let p = bytes.baseAddress, n > 0 else { return mix(h ^ p2, p3) }
        var a: UInt64
        var b: UInt64
        if n <= 16 {
            if n >= 4 {
                a = (read32(p, 0) << 32) | read32(p, (n >> 3) << 2)
                b = (read32(p, n - 4) << 32) | read32(p, n - 4 - ((n >> 3) << 2))
            } else {
                a =
                    (UInt64(p.load(fromByteOffset: 0, as: UInt8.self)) << 16)
                    | (UInt64(p.load(fromByteOffset: n >> 1, as: UInt8.self)) << 8)
                    | UInt64(p.load(fromByteOffset: n - 1, as: UInt8.self))
                b = 0
            }
        } else {
            var i = 0
            while n - i > 16 {
                h = mix(read64(p, i) ^ p1, read64(p, i + 8) ^ h)
                i += 16
            }
            a = read64(p, n - 16)
            b = read64(p, n - 8)
        }
        return mix(p1 ^ UInt64(truncatingIfNeeded: n), mix(a ^ p1, b ^ h))
    }

    @inlinable
    public static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    @inlinable
    public static func hash(_ string: String, seed: UInt64 = 0) -> UInt64 {
        var s = string
        return s.withUTF8 { hash(UnsafeRawBufferPointer($0), seed: seed) }
    }

    /// Combines two hashes in a fixed, order-dependent way.
    @inlinable
    public static func combine(_ a: UInt64, _ b: UInt64) -> UInt64 { mix(a ^ p2, b ^ p3) }
}
