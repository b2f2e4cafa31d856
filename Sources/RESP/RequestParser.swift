/// Parses client requests: RESP multibulk (`*2\r\n$3\r\nGET\r\n$1\r\nk\r\n`) and
/// inline commands (`GET k\r\n`, as telnet sends), incrementally and pipelined.
///
/// The caller keeps the unconsumed bytes and calls `parse` again when more arrive;
/// a request may be split at any byte. Arguments point into the caller's buffer.
public struct RequestParser {
    public enum Outcome: Equatable {
        /// One request parsed; `consumed` bytes of the buffer belong to it.
        /// A request with zero arguments (an empty inline line) is to be skipped.
        case request(consumed: Int)
        /// The buffer holds only part of a request; call again with more bytes.
        case needMore
        /// The bytes are not a valid request; reply with the error and close.
        case failure(ProtocolError)
    }

    public var limits: RESPLimits

    public init(limits: RESPLimits = .standard) {
        self.limits = limits
    }

    /// Parses the request at the start of `buffer` into `arguments`.
    public mutating func parse(_ buffer: UnsafeRawBufferPointer, into arguments: inout Arguments) -> Outcome {
        fatalError("RequestParser.parse: not implemented yet")
    }
}
