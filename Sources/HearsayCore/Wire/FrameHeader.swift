/// The fixed 10-byte header that starts every peer frame:
///
///     offset  size  field
///     0       2     magic "HS" (0x48 0x53): catches a client or scanner on the peer port
///     2       1     protocol version (FrameHeader.versions)
///     3       1     message type (MessageType registry)
///     4       1     flags (FrameFlags; reserved bits MUST be 0)
///     5       1     tag length: bytes of authentication tag after the payload
///     6       4     payload length, UInt32 little-endian
///     10      n     payload
///     10 + n  t     authentication tag over header and payload (t = tag length)
///
/// The tag length is in the header so a receiver can refuse a frame whose tag
/// does not match its own authenticator before reading the payload.
public struct FrameHeader: Sendable, Equatable {
    public static let size = 10
    public static let magic: (UInt8, UInt8) = (0x48, 0x53)
    /// Versions this build speaks; a peer's version outside it is refused.
    public static let versions: ClosedRange<UInt8> = 1...1
    public static let currentVersion: UInt8 = 1

    public var version: UInt8
    public var type: MessageType
    public var flags: FrameFlags
    public var tagLength: UInt8
    public var payloadLength: UInt32

    public init(
        version: UInt8 = FrameHeader.currentVersion, type: MessageType, flags: FrameFlags = [],
        tagLength: UInt8 = 0, payloadLength: UInt32
    ) {
        self.version = version
        self.type = type
        self.flags = flags
        self.tagLength = tagLength
        self.payloadLength = payloadLength
    }

    /// Total bytes on the wire for this frame.
    public var frameSize: Int { FrameHeader.size + Int(payloadLength) + Int(tagLength) }

    public func write(into bytes: inout [UInt8]) {
        bytes.append(FrameHeader.magic.0)
        bytes.append(FrameHeader.magic.1)
        bytes.append(version)
        bytes.append(type.rawValue)
        bytes.append(flags.rawValue)
        bytes.append(tagLength)
        withUnsafeBytes(of: payloadLength.littleEndian) { bytes.append(contentsOf: $0) }
    }
}

/// Per-frame flag bits. Unassigned bits are reserved and MUST be zero, so a
/// later version can give them a meaning that an old receiver refuses.
public struct FrameFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }

    /// The sender expects a reply frame (lets a receiver account for pending work).
    public static let expectsReply = FrameFlags(rawValue: 1 << 0)
    /// The payload is a part of a larger logical message; the last part has the flag clear.
    public static let continued = FrameFlags(rawValue: 1 << 1)

    public static let known: FrameFlags = [.expectsReply, .continued]
}
