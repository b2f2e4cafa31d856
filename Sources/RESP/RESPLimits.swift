/// Bounds on what a client may send, as Redis bounds them. Past a bound the
/// request is a protocol error and the connection is closed after the reply.
public struct RESPLimits: Sendable, Equatable {
    /// Largest bulk string argument (Redis `proto-max-bulk-len`, 512 MiB).
    public var maxBulkLength: Int
    /// Most arguments in one multibulk request (Redis allows 1024*1024*1024; we cap lower).
    public var maxArgumentCount: Int
    /// Longest inline command line (Redis `PROTO_INLINE_MAX_SIZE`, 64 KiB).
    public var maxInlineLength: Int

    public init(
        maxBulkLength: Int = 512 * 1024 * 1024,
        maxArgumentCount: Int = 1024 * 1024,
        maxInlineLength: Int = 64 * 1024
    ) {
        self.maxBulkLength = maxBulkLength
        self.maxArgumentCount = maxArgumentCount
        self.maxInlineLength = maxInlineLength
    }

    public static let standard = RESPLimits()
}
