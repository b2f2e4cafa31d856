/// Splits a peer byte stream into frames, whatever the read boundaries: a frame
/// may arrive split at any byte, and one read may hold several frames.
///
/// Usage per connection: `append` each read, then call `next()` until it
/// returns nil; at end of stream call `finish()`. Any thrown `FrameError`
/// poisons the decoder (every later call throws the same error): the driver
/// MUST then close that connection, and only that connection.
///
/// Bounds: a header is checked as soon as its 10 bytes are in, so an oversized
/// or foreign frame is refused before its payload is buffered; the buffer never
/// holds more than one maximal frame plus one read.
public struct FrameDecoder {
    /// 16 MiB: far above any message the core sends, small enough that one
    /// connection cannot make a node buffer unbounded memory.
    public static let defaultMaximumPayloadBytes = 16 << 20

    public let maximumPayloadBytes: Int
    public let authenticator: FrameAuthenticator
    private var buffer: [UInt8] = []
    private var readIndex = 0
    private var failure: FrameError?

    public init(
        maximumPayloadBytes: Int = FrameDecoder.defaultMaximumPayloadBytes,
        authenticator: FrameAuthenticator = .unauthenticated
    ) {
        precondition(
            maximumPayloadBytes >= 0 && maximumPayloadBytes <= Int(UInt32.max),
            "maximum payload \(maximumPayloadBytes) outside 0...UInt32.max")
        self.maximumPayloadBytes = maximumPayloadBytes
        self.authenticator = authenticator
    }

    /// Bytes received but not yet returned as frames.
    public var bufferedBytes: Int { buffer.count - readIndex }

    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        if readIndex > 0 && readIndex >= buffer.count / 2 {
            buffer.removeSubrange(0..<readIndex)
            readIndex = 0
        }
        buffer.append(contentsOf: bytes)
    }

    public mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// The next complete frame, or nil if more bytes are needed.
    public mutating func next() throws(FrameError) -> Frame? {
        if let failure { throw failure }
        do {
            return try decodeNext()
        } catch {
            failure = error
            throw error
        }
    }

    /// Call at end of stream: throws `truncated` if a partial frame is left.
    public mutating func finish() throws(FrameError) {
        if let failure { throw failure }
        if bufferedBytes > 0 {
            failure = .truncated(bufferedBytes: bufferedBytes)
            throw .truncated(bufferedBytes: bufferedBytes)
        }
    }

    private func byte(_ offset: Int) -> UInt8 { buffer[readIndex + offset] }

    /// Checks every header field that is present so far, so bad input is
    /// refused at the earliest byte that proves it bad.
    private func checkHeaderPrefix() throws(FrameError) -> FrameHeader? {
        let available = bufferedBytes
        if available >= 1 && byte(0) != FrameHeader.magic.0 {
            throw .badMagic(byte(0), available >= 2 ? byte(1) : 0)
        }
        if available >= 2 && byte(1) != FrameHeader.magic.1 { throw .badMagic(byte(0), byte(1)) }
        if available >= 3 && !FrameHeader.versions.contains(byte(2)) { throw .unsupportedVersion(byte(2)) }
        if available >= 4 && !MessageType(rawValue: byte(3)).isKnown { throw .unknownMessageType(byte(3)) }
        if available >= 5 && !FrameFlags(rawValue: byte(4)).isSubset(of: .known) {
            throw .reservedFlags(byte(4) & ~FrameFlags.known.rawValue)
        }
        if available >= 6 && Int(byte(5)) != authenticator.tagLength {
            throw .wrongTagLength(expected: authenticator.tagLength, received: Int(byte(5)))
        }
        guard available >= FrameHeader.size else { return nil }
        var length: UInt32 = 0
        for i in 0..<4 { length |= UInt32(byte(6 + i)) << (8 * UInt32(i)) }
        if Int(length) > maximumPayloadBytes {
            throw .frameTooLarge(payloadLength: Int(length), maximum: maximumPayloadBytes)
        }
        return FrameHeader(
            version: byte(2), type: MessageType(rawValue: byte(3)),
            flags: FrameFlags(rawValue: byte(4)), tagLength: byte(5), payloadLength: length)
    }

    private mutating func decodeNext() throws(FrameError) -> Frame? {
        guard let header = try checkHeaderPrefix() else { return nil }
        guard bufferedBytes >= header.frameSize else { return nil }
        let payloadStart = readIndex + FrameHeader.size
        let tagStart = payloadStart + Int(header.payloadLength)
        let end = tagStart + Int(header.tagLength)
        guard authenticator.verify(frameWithoutTag: buffer[readIndex..<tagStart], tag: buffer[tagStart..<end]) else {
            throw .authenticationFailed
        }
        let frame = Frame(type: header.type, flags: header.flags, payload: Array(buffer[payloadStart..<tagStart]))
        readIndex = end
        if readIndex == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            readIndex = 0
        }
        return frame
    }
}
