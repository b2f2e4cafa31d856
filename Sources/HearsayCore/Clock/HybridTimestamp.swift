/// A hybrid logical timestamp (Kulkarni et al., "Logical Physical Clocks", 2014): physical
/// milliseconds since the Unix epoch in the high 48 bits and a logical counter in the low 16.
///
/// Packed into one `UInt64` so that comparison is one integer compare and a register sibling
/// pays 8 bytes for it. 48 bits of milliseconds last until the year 10889; a logical counter that
/// would pass 65535 within one millisecond borrows the next millisecond instead (see
/// `HybridLogicalClock`), which keeps timestamps strictly increasing.
public struct HybridTimestamp: Comparable, Hashable, Sendable, CustomStringConvertible {
    public static let logicalBitCount: UInt64 = 16
    public static let logicalMax: UInt64 = (1 << logicalBitCount) - 1
    public static let physicalMillisecondsMax: Int64 = (1 << 48) - 1

    /// The packed form; also the wire form, so it must never change meaning.
    public var rawValue: UInt64

    @inlinable public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// Milliseconds outside `0...physicalMillisecondsMax` are clamped, so a wildly wrong clock
    /// produces an extreme timestamp rather than a trap.
    @inlinable public init(physicalMilliseconds: Int64, logical: UInt16) {
        let ms = UInt64(min(max(physicalMilliseconds, 0), HybridTimestamp.physicalMillisecondsMax))
        rawValue = (ms << HybridTimestamp.logicalBitCount) | UInt64(logical)
    }

    public static let zero = HybridTimestamp(rawValue: 0)

    @inlinable public var physicalMilliseconds: Int64 { Int64(rawValue >> HybridTimestamp.logicalBitCount) }
    @inlinable public var logical: UInt16 { UInt16(truncatingIfNeeded: rawValue & HybridTimestamp.logicalMax) }

    /// The smallest timestamp greater than this one (saturating at the maximum).
    @inlinable public var successor: HybridTimestamp {
        rawValue == .max ? self : HybridTimestamp(rawValue: rawValue + 1)
    }

    @inlinable public static func < (a: HybridTimestamp, b: HybridTimestamp) -> Bool { a.rawValue < b.rawValue }

    public var description: String { "\(physicalMilliseconds)ms+\(logical)" }

    /// Fixed 8 bytes: current timestamps need 57 bits, so a varint would be longer.
    @inlinable public func encode(into writer: inout ByteWriter) { writer.u64(rawValue) }

    public static func decode(from reader: inout ByteReader) throws(DecodeError) -> HybridTimestamp {
        HybridTimestamp(rawValue: try reader.u64())
    }
}
