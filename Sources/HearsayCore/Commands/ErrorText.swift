import RESP

/// Redis's error texts, word for word: client libraries match on them.
enum ErrorText {
    static let syntax: StaticString = "ERR syntax error"
    static let notInteger: StaticString = "ERR value is not an integer or out of range"
    static let notFloat: StaticString = "ERR value is not a valid float"
    static let wrongType: StaticString = "WRONGTYPE Operation against a key holding the wrong kind of value"
    static let overflow: StaticString = "ERR increment or decrement would overflow"
    static let noAuth: StaticString = "NOAUTH Authentication required."
    static let wrongPass: StaticString = "WRONGPASS invalid username-password pair or user is disabled."
    static let noPassword: StaticString =
        "ERR AUTH <password> called without any password configured for the default user. Are you sure your configuration is correct?"
    static let outOfMemory: StaticString = "OOM command not allowed when used memory > 'maxmemory'."
    static let noProto: StaticString = "NOPROTO unsupported protocol version"
    static let stringTooLong: StaticString = "ERR string exceeds maximum allowed size (proto-max-bulk-len)"
    static let nanOrInfinity: StaticString = "ERR increment would produce NaN or Infinity"

    static func wrongArity(_ name: String) -> String { "ERR wrong number of arguments for '\(name)' command" }
    static func invalidExpire(_ name: String) -> String { "ERR invalid expire time in '\(name)' command" }

    static func unknownSubcommand(_ sub: String, _ command: String) -> String {
        "ERR unknown subcommand '\(sub.prefix(128))'. Try \(command.uppercased()) HELP."
    }

    static func unknownCommand(_ arguments: Arguments) -> String {
        var text = "ERR unknown command '\(arguments.string(0).prefix(128))', with args beginning with: "
        var i = 1
        while i < arguments.count && text.utf8.count < 128 {
            text += "'\(arguments.string(i).prefix(128 - text.utf8.count))' "
            i += 1
        }
        return text
    }
}
