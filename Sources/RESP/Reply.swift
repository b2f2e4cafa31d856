/// A finished reply as a value: what a coordinator keeps for a request that waits on
/// replicas, combines from the parts of a multi-key request, and makes for its own errors.
/// The common replies of writes are cases of their own (no allocation for `+OK` or a count);
/// anything else stays in its RESP encoding, which the core carries but never reads. RESP is
/// written from a `Reply` here, at the edge, and read back into one only here.
public enum Reply: Equatable, Sendable {
    case ok
    case integer(Int64)
    /// An error's text, without the leading `-` and the line end ("NOQUORUM 1 of 2 ...").
    case error(String)
    /// Any other reply, in its RESP encoding.
    case encoded([UInt8])

    /// The complete reply `buffer` holds from byte `start` on.
    public init(_ buffer: ReplyBuffer, from start: Int) {
        self = buffer.withUnsafeBytes { Reply(encoding: UnsafeRawBufferPointer(rebasing: $0[start...])) }
    }

    /// A reply received in its encoding (from a peer that coordinated it).
    public init(encoded bytes: [UInt8]) {
        self = bytes.withUnsafeBytes { Reply(encoding: $0) }
    }

    private init(encoding raw: UnsafeRawBufferPointer) {
        guard let first = raw.first, raw.count >= 3, raw[raw.count - 2] == 13, raw[raw.count - 1] == 10 else {
            self = .encoded(Array(raw))
            return
        }
        let line = UnsafeRawBufferPointer(rebasing: raw[1..<(raw.count - 2)])
        // Only a reply that is one line of its kind: an aggregate or bulk reply is kept whole.
        let oneLine = !line.contains(13)
        switch first {
        case UInt8(ascii: "+") where oneLine && line.elementsEqual("OK".utf8):
            self = .ok
        case UInt8(ascii: "-") where oneLine:
            self = .error(String(decoding: line, as: UTF8.self))
        case UInt8(ascii: ":") where oneLine:
            if let value = Int64(String(decoding: line, as: UTF8.self)) {
                self = .integer(value)
            } else {
                self = .encoded(Array(raw))
            }
        default:
            self = .encoded(Array(raw))
        }
    }

    public var isError: Bool {
        if case .error = self { true } else { false }
    }

    /// Writes the reply into `buffer`.
    public func write(into buffer: inout ReplyBuffer) {
        switch self {
        case .ok: buffer.ok()
        case .integer(let value): buffer.integer(value)
        case .error(let text): buffer.error(text)
        case .encoded(let bytes): bytes.withUnsafeBytes { buffer.raw($0) }
        }
    }

    /// The reply's encoding.
    public var encoded: [UInt8] {
        switch self {
        case .encoded(let bytes): return bytes
        default:
            var buffer = ReplyBuffer(capacity: 64)
            write(into: &buffer)
            return buffer.bytes
        }
    }
}

extension ReplyBuffer {
    /// Whether the reply written from byte `start` on is an error (a command that failed).
    public func isError(from start: Int) -> Bool { byte(at: start) == UInt8(ascii: "-") }
}
