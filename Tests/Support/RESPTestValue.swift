/// A parsed RESP2/RESP3 reply, for tests that check nested reply shapes (shared by the test
/// targets through the HearsayTestSupport target).
public indirect enum RESPTestValue: Hashable, CustomStringConvertible {
    case simple(String)
    case error(String)
    case integer(Int64)
    case bulk(String)
    case null
    case array([RESPTestValue])

    /// Parses one complete reply; nil when the text is not exactly one reply.
    public static func parse(_ text: String) -> RESPTestValue? {
        var bytes = Array(text.utf8)[...]
        guard let value = parseOne(&bytes), bytes.isEmpty else { return nil }
        return value
    }

    private static func line(_ bytes: inout ArraySlice<UInt8>) -> String? {
        guard let cr = bytes.firstIndex(of: 13), cr + 1 < bytes.endIndex, bytes[cr + 1] == 10 else { return nil }
        let text = String(decoding: bytes[bytes.startIndex..<cr], as: UTF8.self)
        bytes = bytes[(cr + 2)...]
        return text
    }

    private static func parseOne(_ bytes: inout ArraySlice<UInt8>) -> RESPTestValue? {
        guard let marker = bytes.first else { return nil }
        bytes = bytes.dropFirst()
        guard let head = line(&bytes) else { return nil }
        switch marker {
        case UInt8(ascii: "+"): return .simple(head)
        case UInt8(ascii: "-"): return .error(head)
        case UInt8(ascii: ":"): return Int64(head).map { .integer($0) }
        case UInt8(ascii: "_"): return .null
        case UInt8(ascii: "$"):
            guard let n = Int(head) else { return nil }
            if n < 0 { return .null }
            guard bytes.count >= n + 2 else { return nil }
            let value = String(decoding: bytes.prefix(n), as: UTF8.self)
            bytes = bytes.dropFirst(n + 2)
            return .bulk(value)
        case UInt8(ascii: "*"), UInt8(ascii: "%"):
            guard let n = Int(head) else { return nil }
            if n < 0 { return .null }
            var items: [RESPTestValue] = []
            for _ in 0..<(marker == UInt8(ascii: "%") ? 2 * n : n) {
                guard let item = parseOne(&bytes) else { return nil }
                items.append(item)
            }
            return .array(items)
        default: return nil
        }
    }

    public var items: [RESPTestValue] {
        if case .array(let items) = self { return items }
        return []
    }

    public var text: String? {
        switch self {
        case .simple(let s), .bulk(let s): return s
        default: return nil
        }
    }

    public var int: Int64? {
        if case .integer(let n) = self { return n }
        return nil
    }

    /// A flat key/value array as a dictionary from key to value.
    public var fields: [String: RESPTestValue] {
        var out: [String: RESPTestValue] = [:]
        var i = 0
        let list = items
        while i + 1 < list.count {
            if let key = list[i].text { out[key] = list[i + 1] }
            i += 2
        }
        return out
    }

    public var description: String {
        switch self {
        case .simple(let s): return "+\(s)"
        case .error(let s): return "-\(s)"
        case .integer(let n): return ":\(n)"
        case .bulk(let s): return "\"\(s)\""
        case .null: return "nil"
        case .array(let items): return "[" + items.map(\.description).joined(separator: ", ") + "]"
        }
    }
}
