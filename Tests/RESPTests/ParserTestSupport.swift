@testable import RESP

/// What a stream of bytes parses into, copied out of the parser's buffers.
enum Parsed: Equatable, CustomStringConvertible {
    case request([[UInt8]])
    case failure(String)
    /// The stream ended inside a request.
    case needMore

    var description: String {
        switch self {
        case .request(let args): return "request(\(args.map { String(decoding: $0, as: UTF8.self) }))"
        case .failure(let reason): return "failure(\(reason))"
        case .needMore: return "needMore"
        }
    }
}

func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

func request(_ args: String...) -> Parsed { .request(args.map { Array($0.utf8) }) }

/// Encodes `args` as a RESP multibulk request.
func multibulk(_ args: [[UInt8]]) -> [UInt8] {
    var out = bytes("*\(args.count)\r\n")
    for arg in args {
        out += bytes("$\(arg.count)\r\n")
        out += arg
        out += [13, 10]
    }
    return out
}

func multibulk(_ args: String...) -> [UInt8] { multibulk(args.map { Array($0.utf8) }) }

/// Feeds `input` to one parser the way a connection would: the bytes arrive in reads that
/// end at `readEnds` (and at the end of the input), the unconsumed bytes are kept in a
/// growing array (which moves in memory), and every complete request is parsed at once.
/// Returns the requests in order, then `.failure` (which stops the stream) or `.needMore`
/// if bytes were left over.
func parseStream(
    _ input: [UInt8], readEnds: [Int] = [], limits: RESPLimits = .standard,
    consumedTotal: UnsafeMutablePointer<Int>? = nil
) -> [Parsed] {
    var parser = RequestParser(limits: limits)
    var arguments = Arguments()
    var pending: [UInt8] = []
    var results: [Parsed] = []
    var received = 0
    var consumedSum = 0
    let ends = (readEnds.filter { $0 > 0 && $0 < input.count } + [input.count])
    for end in ends where end > received {
        pending += input[received..<end]
        received = end
        while !pending.isEmpty {
            let outcome = pending.withUnsafeBytes { buffer -> RequestParser.Outcome in
                let outcome = parser.parse(buffer, into: &arguments)
                if case .request = outcome {
                    results.append(.request((0..<arguments.count).map { arguments.bytes($0) }))
                }
                return outcome
            }
            switch outcome {
            case .request(let consumed):
                precondition(consumed > 0 && consumed <= pending.count, "consumed \(consumed) of \(pending.count)")
                consumedSum += consumed
                pending.removeFirst(consumed)
            case .needMore:
                break
            case .failure(let error):
                consumedTotal?.pointee = consumedSum
                return results + [.failure(error.reason)]
            }
            if case .needMore = outcome { break }
        }
    }
    consumedTotal?.pointee = consumedSum
    return pending.isEmpty ? results : results + [.needMore]
}

/// Parses one buffer once, without any stream around it.
func parseOnce(_ input: [UInt8], limits: RESPLimits = .standard) -> (RequestParser.Outcome, [[UInt8]]) {
    var parser = RequestParser(limits: limits)
    var arguments = Arguments()
    return input.withUnsafeBytes { buffer in
        let outcome = parser.parse(buffer, into: &arguments)
        return (outcome, (0..<arguments.count).map { arguments.bytes($0) })
    }
}

/// A small seeded generator (SplitMix64) so random tests replay from their seed.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
