import HearsayCore

/// The one check that a simulated cluster's membership views agree: every live node holds
/// the same view, and it lists every node with the status the scenario expects of it (and,
/// when `address` is given, alive nodes at the address they have now). Shared by the SWIM-only
/// cluster and the cluster of full nodes.
enum ViewAgreement {
    /// nil when the views agree; otherwise the first disagreement found.
    static func firstDisagreement(
        live: [Int], nodeCount: Int, ids: [NodeID], view: (Int) -> [Member]?,
        expectedStatus: (Int) -> MemberStatus, address: ((Int) -> String)? = nil,
        describe: (Int, [Int]) -> String = { _, _ in "" }
    ) -> String? {
        guard let first = live.first, let reference = view(first) else { return "no live node" }
        let byID = Dictionary(uniqueKeysWithValues: reference.map { ($0.id, $0) })
        for index in 0..<nodeCount {
            guard let member = byID[ids[index]] else { return "node \(first) does not know node \(index)" }
            let expected = expectedStatus(index)
            if member.status != expected {
                let how = describe(index, live)
                return "node \(first) sees node \(index) \(member.status), expected \(expected)"
                    + (how.isEmpty ? "" : "; " + how)
            }
            if let address, expected == .alive, member.address != address(index) {
                return "node \(first) has node \(index) at \(member.address), it is at \(address(index))"
            }
        }
        if reference.count != nodeCount { return "node \(first) knows \(reference.count) of \(nodeCount)" }
        for other in live.dropFirst() where view(other) != reference {
            let theirs = view(other) ?? []
            let diff = zip(reference, theirs).first { $0 != $1 }
            return "node \(other) disagrees with node \(first): \(diff.map { "\($0.1) vs \($0.0)" } ?? "sizes")"
        }
        return nil
    }
}
