/// What `--watch` remembers from sample to sample: the divergence over time, and when it
/// reached zero. Bounded: it keeps the first sample and the last `capacity`.
public struct Timeline: Codable, Sendable {
    public struct Point: Codable, Sendable {
        public var elapsed: Double
        public var divergentKeys: Int
        public var divergentPartitions: Int
        public var hintsPending: Int64
        public var membershipDisagreements: Int
        public var unreachableNodes: Int
        public var converged: Bool
    }

    public private(set) var points: [Point] = []
    public private(set) var peakDivergentKeys = 0
    /// Seconds from the first sample to the first converged one.
    public private(set) var convergedAfter: Double?
    public var capacity = 10_000

    public init() {}

    public mutating func record(_ s: Snapshot) {
        let point = Point(
            elapsed: s.elapsed, divergentKeys: s.divergentKeys, divergentPartitions: s.divergentPartitions,
            hintsPending: s.hintsPending, membershipDisagreements: s.membership.disagreements.count,
            unreachableNodes: s.nodes.filter { !$0.reachable }.count, converged: s.converged)
        if points.count >= capacity { points.remove(at: 1) }
        points.append(point)
        peakDivergentKeys = max(peakDivergentKeys, s.divergentKeys)
        if s.converged && convergedAfter == nil { convergedAfter = s.elapsed }
        if !s.converged { convergedAfter = nil }
    }

    /// The last `width` values as block characters, scaled to their maximum.
    public static func sparkline(_ values: [Double], width: Int = 50) -> String {
        let recent = values.suffix(width)
        let top = recent.max() ?? 0
        let blocks = Array("▁▂▃▄▅▆▇█")
        return String(
            recent.map { value in
                guard top > 0 else { return blocks[0] }
                return blocks[min(blocks.count - 1, Int((value / top) * Double(blocks.count - 1) + 0.5))]
            })
    }

    /// Three sparklines with their current values, for the live view.
    public func render(width: Int = 50) -> String {
        guard let last = points.last else { return "" }
        let rows: [(String, [Double], String)] = [
            (
                "divergent keys", points.map { Double($0.divergentKeys) },
                "\(last.divergentKeys) (peak \(peakDivergentKeys))"
            ),
            ("hints pending", points.map { Double($0.hintsPending) }, String(last.hintsPending)),
            (
                "membership", points.map { Double($0.membershipDisagreements) },
                "\(last.membershipDisagreements) members seen differently"
            ),
        ]
        var lines = ["TIMELINE (\(points.count) samples over \(Self.seconds(last.elapsed)))"]
        for (name, values, now) in rows {
            lines.append(
                "  " + TextReport.pad(name, 16) + TextReport.pad(Self.sparkline(values, width: width), width + 2) + now)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    public static func seconds(_ value: Double) -> String {
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) s"
    }
}
