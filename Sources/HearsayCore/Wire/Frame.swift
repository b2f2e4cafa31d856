/// One decoded peer frame: its type, flags and payload (the tag is checked and dropped).
public struct Frame: Sendable, Equatable {
    public var type: MessageType
    public var flags: FrameFlags
    public var payload: [UInt8]

    public init(type: MessageType, flags: FrameFlags = [], payload: [UInt8]) {
        self.type = type
        self.flags = flags
        self.payload = payload
    }
}
