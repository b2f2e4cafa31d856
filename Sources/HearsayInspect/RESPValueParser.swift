/// Parses replies from a byte buffer that may hold part of one: `next()` returns nil until a
/// whole value is there and throws on bytes that are not RESP (a node that answers garbage).
/// Bounds: a bulk string of at most 512 MiB and arrays of at most 16 M elements, nested at
/// most 64 deep, as a node would never send more.
public struct RESPValueParser {
    public private(set) var buffer: [UInt8] = []
    private var position = 0

    public init() {}

    public mutating func append(_ bytes: some Sequence<UInt8>) {
        if position > 0 && position == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            position = 0
        }
        buffer.append(contentsOf: bytes)
    }

    /// The next complete value, or nil when more bytes are needed.
    public mutating func next() throws(RESPGarbage) -> RESPValue? {
        var cursor = position
        guard let value = try parse(&cursor, depth: 0) else { return nil }
        position = cursor
        return value
    }

    private func line(_ cursor: inout Int) throws(RESPGarbage) -> String? {
        var i = cursor
        while i + 1 < buffer.count {
            if buffer[i] == 13 && buffer[i + 1] == 10 {
                let text = String(decoding: buffer[cursor..<i], as: UTF8.self)
                cursor = i + 2
                return text
            }
            i += 1
            if i - cursor > 65_536 { throw RESPGarbage(reason: "a reply line longer than 64 KiB") }
        }
        return nil
    }

    private func parse(_ cursor: inout Int, depth: Int) throws(RESPGarbage) -> RESPValue? {
        guard depth < 64 else { throw RESPGarbage(reason: "replies nested more than 64 deep") }
        guard cursor < buffer.count else { return nil }
        let kind = buffer[cursor]
        var c = cursor + 1
        guard let head = try line(&c) else { return nil }
        let value: RESPValue
        switch kind {
        case UInt8(ascii: "+"): value = .simple(head)
        case UInt8(ascii: "-"): value = .error(head)
        case UInt8(ascii: ":"), UInt8(ascii: "("):
            guard let n = Int64(head) else { throw RESPGarbage(reason: "integer reply '\(head.prefix(40))'") }
            value = .integer(n)
        case UInt8(ascii: ","): value = .simple(head)
        case UInt8(ascii: "#"): value = .integer(head == "t" ? 1 : 0)
        case UInt8(ascii: "_"): value = .null
        case UInt8(ascii: "$"), UInt8(ascii: "="), UInt8(ascii: "!"):
            guard let length = Int(head), length >= -1, length <= 512 << 20 else {
                throw RESPGarbage(reason: "bulk length '\(head.prefix(40))'")
            }
            if length == -1 {
                value = .null
            } else {
                guard buffer.count - c >= length + 2 else { return nil }
                var bytes = Array(buffer[c..<(c + length)])
                guard buffer[c + length] == 13, buffer[c + length + 1] == 10 else {
                    throw RESPGarbage(reason: "bulk string not ended by CRLF")
                }
                c += length + 2
                // A verbatim string starts with its format ("txt:"), which is not part of the text.
                if kind == UInt8(ascii: "="), bytes.count >= 4 { bytes.removeFirst(4) }
                value = kind == UInt8(ascii: "!") ? .error(String(decoding: bytes, as: UTF8.self)) : .bulk(bytes)
            }
        case UInt8(ascii: "*"), UInt8(ascii: "%"), UInt8(ascii: "~"), UInt8(ascii: ">"):
            guard let count = Int(head), count >= -1, count <= 16 << 20 else {
                throw RESPGarbage(reason: "array length '\(head.prefix(40))'")
            }
            if count == -1 {
                value = .null
            } else {
                let elements = kind == UInt8(ascii: "%") ? count * 2 : count
                var items: [RESPValue] = []
                items.reserveCapacity(min(elements, 4_096))
                for _ in 0..<elements {
                    guard let item = try parse(&c, depth: depth + 1) else { return nil }
                    items.append(item)
                }
                value = .array(items)
            }
        default:
            let shown = String(decoding: buffer[cursor..<min(buffer.count, cursor + 24)], as: UTF8.self)
            throw RESPGarbage(reason: "not a RESP reply: '\(shown.replacingControlCharacters())'")
        }
        cursor = c
        return value
    }
}

/// Bytes that are not a RESP reply.
public struct RESPGarbage: Error, Equatable, CustomStringConvertible {
    public var reason: String
    public var description: String { reason }
}

extension String {
    /// The text with control characters shown as '.', for an error message.
    func replacingControlCharacters() -> String {
        var out = String.UnicodeScalarView()
        for scalar in unicodeScalars { out.append(scalar.value < 32 || scalar.value == 127 ? "." : scalar) }
        return String(out)
    }
}
