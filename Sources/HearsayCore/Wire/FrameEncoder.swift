/// Writes peer frames; see `FrameHeader` for the layout.
public enum FrameEncoder {
    /// Appends one frame to `out` (which the caller owns and reuses).
    /// The payload MUST fit `maximumPayloadBytes`: an oversized frame is a bug
    /// in the sender, since the receiver would drop the connection.
    public static func append(
        type: MessageType, flags: FrameFlags = [], payload: UnsafeRawBufferPointer,
        authenticator: FrameAuthenticator = .unauthenticated,
        maximumPayloadBytes: Int = FrameDecoder.defaultMaximumPayloadBytes,
        to out: inout [UInt8]
    ) {
        precondition(type.isKnown, "message type \(type.rawValue) is not registered")
        precondition(flags.isSubset(of: .known), "reserved frame flags \(flags.rawValue)")
        precondition(
            payload.count <= maximumPayloadBytes,
            "payload of \(payload.count) bytes exceeds the \(maximumPayloadBytes)-byte frame limit")
        let header = FrameHeader(
            type: type, flags: flags, tagLength: UInt8(authenticator.tagLength),
            payloadLength: UInt32(payload.count))
        out.reserveCapacity(out.count + header.frameSize)
        header.write(into: &out)
        out.append(contentsOf: payload)
        authenticator.appendTag(to: &out)
    }

    public static func append(
        type: MessageType, flags: FrameFlags = [], payload: [UInt8],
        authenticator: FrameAuthenticator = .unauthenticated,
        maximumPayloadBytes: Int = FrameDecoder.defaultMaximumPayloadBytes,
        to out: inout [UInt8]
    ) {
        payload.withUnsafeBytes {
            append(
                type: type, flags: flags, payload: $0, authenticator: authenticator,
                maximumPayloadBytes: maximumPayloadBytes, to: &out)
        }
    }
}
