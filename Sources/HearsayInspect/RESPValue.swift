/// One reply from a node, as the inspector reads it (RESP2, plus the few RESP3 types a node
/// could send if a session had switched: maps are kept as flat arrays of pairs).
public enum RESPValue: Equatable, Sendable {
    case simple(String)
    case error(String)
    case integer(Int64)
    case bulk([UInt8])
    case array([RESPValue])
    case null

    /// The value as text: simple strings, bulk strings and integers.
    public var text: String? {
        switch self {
        case .simple(let s): return s
        case .bulk(let bytes): return String(decoding: bytes, as: UTF8.self)
        case .integer(let n): return String(n)
        default: return nil
        }
    }

    /// The value as a number: integers, and text that parses as one.
    public var int: Int64? {
        if case .integer(let n) = self { return n }
        return text.flatMap { Int64($0) }
    }

    public var array: [RESPValue]? {
        if case .array(let items) = self { return items }
        return nil
    }

    public var errorText: String? {
        if case .error(let message) = self { return message }
        return nil
    }

    /// A flattened map (name, value, name, value, ...) as a dictionary; nil unless the value is
    /// an array of an even length whose names are text.
    public var fields: [String: RESPValue]? {
        guard let items = array, items.count % 2 == 0 else { return nil }
        var result: [String: RESPValue] = [:]
        for i in stride(from: 0, to: items.count, by: 2) {
            guard let name = items[i].text else { return nil }
            result[name] = items[i + 1]
        }
        return result
    }

    /// Whether this is the error a node gives for a command it does not know (an older node).
    public var isUnknownCommand: Bool {
        guard let message = errorText?.lowercased() else { return false }
        return message.contains("unknown command") || message.contains("unknown subcommand")
    }
}
