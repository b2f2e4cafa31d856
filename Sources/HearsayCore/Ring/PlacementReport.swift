/// Balance and movement of `Placement` measured over a range of cluster sizes:
/// the numbers behind the README table and the placement tests.
public struct PlacementReport: Sendable {
    public struct Row: Sendable, Equatable {
        public var nodeCount: Int
        public var loadMinimum: Int
        public var loadMaximum: Int
        /// P*N/n as a fraction: idealLoadNumerator / nodeCount.
        public var idealLoadNumerator: Int
        /// Replicas moved when one node joins the n members; ideal P*N/(n+1).
        public var movedOnAdd: Int
        /// Replicas moved when one of the n members leaves; ideal P*N/n (0 when n <= N).
        public var movedOnRemove: Int
        public var idealMovedOnRemove: Int { nodeCount > replicationFactor ? idealLoadNumerator : 0 }
        public var replicationFactor: Int

        /// Moved on add over ideal, in thousandths.
        public var addRatioPermille: Int { movedOnAdd * 1000 * (nodeCount + 1) / idealLoadNumerator }
        /// Moved on remove over ideal, in thousandths (0 when nothing can move).
        public var removeRatioPermille: Int {
            nodeCount > replicationFactor ? movedOnRemove * 1000 * nodeCount / idealLoadNumerator : 0
        }
    }

    public var partitionCount: PartitionCount
    public var replicationFactor: Int
    public var rows: [Row]

    /// Measures n in `nodeCounts`: members are n ids drawn from `seed`; the joining
    /// node and the leaving member are drawn from the same generator.
    public static func measure(
        nodeCounts: ClosedRange<Int>, partitionCount: PartitionCount = .default,
        replicationFactor: Int = 3, seed: UInt64 = 1
    ) -> PlacementReport {
        var generator = SeededGenerator(seed: seed)
        var rows: [Row] = []
        for n in nodeCounts {
            let members = (0..<n).map { _ in NodeID(generator.next()) }
            let joiner = NodeID(generator.next())
            let leaver = members[Int(generator.next() % UInt64(n))]
            let base = Placement(
                members: members, partitionCount: partitionCount,
                replicationFactor: replicationFactor, fallbackCount: 0)
            let grown = Placement(
                members: members + [joiner], partitionCount: partitionCount,
                replicationFactor: replicationFactor, fallbackCount: 0)
            let shrunk = Placement(
                members: members.filter { $0 != leaver }, partitionCount: partitionCount,
                replicationFactor: replicationFactor, fallbackCount: 0)
            let loads = base.replicaLoads()
            rows.append(
                Row(
                    nodeCount: n, loadMinimum: loads.min() ?? 0, loadMaximum: loads.max() ?? 0,
                    idealLoadNumerator: partitionCount.value * base.replicaCount,
                    movedOnAdd: Placement.movedReplicaCount(base, grown),
                    movedOnRemove: Placement.movedReplicaCount(base, shrunk),
                    replicationFactor: replicationFactor))
        }
        return PlacementReport(partitionCount: partitionCount, replicationFactor: replicationFactor, rows: rows)
    }

    /// A Markdown table, one row per cluster size.
    public var table: String {
        var out = "P=\(partitionCount), N=\(replicationFactor)\n\n"
        out += "| n | min load | max load | ideal load | moved on add | ideal | ratio"
        out += " | moved on remove | ideal | ratio |\n"
        out += "|---|---|---|---|---|---|---|---|---|---|\n"
        for r in rows {
            let ideal = Self.decimal(r.idealLoadNumerator * 100 / r.nodeCount, places: 2)
            let addIdeal = Self.decimal(r.idealLoadNumerator * 100 / (r.nodeCount + 1), places: 2)
            let removeIdeal = Self.decimal(r.idealMovedOnRemove * 100 / r.nodeCount, places: 2)
            out += "| \(r.nodeCount) | \(r.loadMinimum) | \(r.loadMaximum) | \(ideal) | \(r.movedOnAdd) | \(addIdeal)"
            out += " | \(Self.decimal(r.addRatioPermille, places: 3)) | \(r.movedOnRemove) | \(removeIdeal)"
            out += " | \(Self.decimal(r.removeRatioPermille, places: 3)) |\n"
        }
        return out
    }

    /// `value` scaled by 10^places, printed with a decimal point (no Foundation).
    static func decimal(_ value: Int, places: Int) -> String {
        var scale = 1
        for _ in 0..<places { scale *= 10 }
        let fraction = String(value % scale)
        return "\(value / scale)." + String(repeating: "0", count: places - fraction.count) + fraction
    }
}
