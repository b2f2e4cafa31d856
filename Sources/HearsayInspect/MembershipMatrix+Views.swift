extension MembershipMatrix {
    /// Each reachable node's view side by side. A subject is a disagreement when two observers
    /// give it different statuses, or one knows it and another does not.
    init(nodes: [String: NodeSample], observers: [String]) {
        var subjects: Set<String> = []
        for id in observers { subjects.formUnion(nodes[id]?.members?.map(\.id) ?? []) }
        let ordered = subjects.sorted(by: Inspector.idOrder)
        var cells: [[String]] = []
        for id in observers {
            let view = Dictionary(
                (nodes[id]?.members ?? []).map { ($0.id, $0.status) }, uniquingKeysWith: { a, _ in a })
            cells.append(ordered.map { view[$0] ?? "-" })
        }
        let disagreements = ordered.indices.filter { column in Set(cells.map { $0[column] }).count > 1 }
        self.init(
            observers: observers, subjects: ordered, cells: cells, disagreements: disagreements.map { ordered[$0] })
    }
}
