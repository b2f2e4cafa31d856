/// Why a peer byte stream cannot be decoded. Every case means the same thing to
/// the driver: drop that one connection (never the node) and log the reason.
public enum FrameError: Error, Equatable, Sendable {
    /// The stream does not start with "HS": not a Hearsay peer.
    case badMagic(UInt8, UInt8)
    case unsupportedVersion(UInt8)
    case unknownMessageType(UInt8)
    case reservedFlags(UInt8)
    /// The frame's tag length is not what this connection's authenticator uses.
    case wrongTagLength(expected: Int, received: Int)
    case frameTooLarge(payloadLength: Int, maximum: Int)
    /// The tag does not authenticate the frame.
    case authenticationFailed
    /// The stream ended inside a frame.
    case truncated(bufferedBytes: Int)
}
