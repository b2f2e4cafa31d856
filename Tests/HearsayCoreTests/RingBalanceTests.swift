import Testing
@testable import HearsayCore

/// The tolerance of the brief: within 5% of P*N/n or 1 replica, whichever is looser.
/// Compared in integers: |load*n - P*N| * 20 <= max(P*N, 20n).
private func withinTolerance(load: Int, n: Int, total: Int) -> Bool {
    abs(load * n - total) * 20 <= max(total, 20 * n)
}

@Suite(.serialized) struct RingBalanceTests {
    static let report = PlacementReport.measure(nodeCounts: 3...64)

    @Test func placement_balance_everyNodeWithinToleranceFor3To64Nodes() {
        for row in Self.report.rows {
            #expect(withinTolerance(load: row.loadMinimum, n: row.nodeCount, total: 768), "n=\(row.nodeCount)")
            #expect(withinTolerance(load: row.loadMaximum, n: row.nodeCount, total: 768), "n=\(row.nodeCount)")
            #expect(row.loadMaximum - row.loadMinimum <= 1, "n=\(row.nodeCount)")
        }
    }

    @Test func placement_movement_printsTheReportTable() {
        print(Self.report.table)
        let worstAdd = Self.report.rows.map(\.addRatioPermille).max() ?? 0
        let worstRemove = Self.report.rows.map(\.removeRatioPermille).max() ?? 0
        print("worst add ratio \(worstAdd) permille, worst remove ratio \(worstRemove) permille")
        #expect(Self.report.rows.count == 62)
    }
}

@Suite struct RingMovementTests {
    @Test func placement_movement_withinTwelveTenthsOfIdealUpTo11Nodes() {
        let report = PlacementReport.measure(nodeCounts: 3...11, seed: 2)
        for row in report.rows {
            #expect(row.addRatioPermille <= 1200, "n=\(row.nodeCount) add \(row.movedOnAdd)")
            #expect(row.removeRatioPermille <= 1200, "n=\(row.nodeCount) remove \(row.movedOnRemove)")
        }
    }

    /// Regression guard, not the target: exact balance costs extra moves at larger
    /// n (see the report table); this catches a change that makes it much worse.
    @Test func placement_movement_neverAboveFourTimesIdealFor3To64Nodes() {
        for row in RingBalanceTests.report.rows {
            #expect(row.addRatioPermille <= 4000, "n=\(row.nodeCount) add \(row.movedOnAdd)")
            #expect(row.removeRatioPermille <= 4000, "n=\(row.nodeCount) remove \(row.movedOnRemove)")
        }
    }

    @Test func placement_addingANode_givesTheJoinerItsBalancedShare() {
        var g = SeededGenerator(seed: 99)
        let members = (0..<20).map { _ in NodeID(g.next()) }
        let joiner = NodeID(g.next())
        let old = Placement(members: members)
        let new = Placement(members: members + [joiner])
        let gainedByJoiner = Placement.diff(old, new).filter { $0.gained.contains(joiner) }.count
        #expect(gainedByJoiner == new.partitions(replicatedOn: joiner).count)
        #expect(gainedByJoiner == 36 || gainedByJoiner == 37)
    }
}
