/// A request that cannot be parsed. After replying `-ERR Protocol error: <reason>`
/// the server closes the connection, as Redis does: the stream cannot be resynchronised.
public struct ProtocolError: Error, Equatable, Sendable {
    /// The text after "Protocol error: ", e.g. "invalid multibulk length".
    public var reason: String
    public init(_ reason: String) { self.reason = reason }
    /// The full error line as Redis sends it, without the leading '-' and CRLF.
    public var message: String { "ERR Protocol error: \(reason)" }
}
