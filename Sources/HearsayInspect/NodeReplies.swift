/// The HS.* replies the inspector reads, parsed into plain values. Each parser returns nil for
/// a reply of another shape, so a node that answers something unexpected is reported, not
/// trusted.
public struct MemberEntry: Codable, Equatable, Sendable {
    public var id: String
    public var address: String
    public var status: String
    public var incarnation: Int64
}

enum NodeReplies {
    /// HS.MEMBERS: an array of (flattened) maps id, address, status, incarnation.
    static func members(_ reply: RESPValue) -> [MemberEntry]? {
        guard let rows = reply.array else { return nil }
        var members: [MemberEntry] = []
        for row in rows {
            guard let f = row.fields, let id = f["id"]?.text, let address = f["address"]?.text,
                let status = f["status"]?.text
            else { return nil }
            members.append(
                MemberEntry(id: id, address: address, status: status, incarnation: f["incarnation"]?.int ?? 0))
        }
        return members
    }

    /// `INFO cluster` text: name:value lines.
    static func info(_ reply: RESPValue) -> [String: String]? {
        guard let text = reply.text else { return nil }
        var result: [String: String] = [:]
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            guard let colon = line.firstIndex(of: ":") else { continue }
            result[String(line[..<colon])] = String(line[line.index(after: colon)...])
        }
        return result
    }

    /// HS.RING: partitions, replicas, members, ring (each partition's replicas).
    static func ring(_ reply: RESPValue) -> RingLayout? {
        guard let f = reply.fields, let partitions = f["partitions"]?.int, let replicas = f["replicas"]?.int,
            let members = f["members"]?.array?.compactMap(\.text), let rows = f["ring"]?.array
        else { return nil }
        let ring = rows.map { $0.array?.compactMap(\.text) ?? [] }
        guard ring.count == Int(partitions) else { return nil }
        return RingLayout(partitions: Int(partitions), replicas: Int(replicas), members: members, replicasOf: ring)
    }

    /// HS.STATS: counters, and hints_by_owner as owner -> counters.
    static func stats(_ reply: RESPValue) -> (counters: [String: Int64], hints: [String: [String: Int64]])? {
        guard let f = reply.fields else { return nil }
        var counters: [String: Int64] = [:]
        var hints: [String: [String: Int64]] = [:]
        for (name, value) in f {
            if let n = value.int {
                counters[name] = n
            } else if name == "hints_by_owner", let owners = value.fields {
                for (owner, row) in owners { hints[owner] = row.fields?.compactMapValues(\.int) ?? [:] }
            }
        }
        return (counters, hints)
    }

    /// HS.DIGEST (roots) or HS.DIGEST p (leaves): hex digests.
    static func digests(_ reply: RESPValue) -> [String]? {
        guard let items = reply.array else { return nil }
        let hex = items.compactMap(\.text)
        return hex.count == items.count ? hex : nil
    }

    /// HS.DIGEST p KEYS [leaf]: [key, digest, type, siblings, version] rows.
    static func keyDigests(_ reply: RESPValue) -> [KeyDigest]? {
        guard let rows = reply.array else { return nil }
        var result: [KeyDigest] = []
        result.reserveCapacity(rows.count)
        for row in rows {
            guard let items = row.array, items.count >= 2, let key = items[0].text, let digest = items[1].text else {
                return nil
            }
            result.append(
                KeyDigest(
                    key: key, digest: digest, type: items.count > 2 ? items[2].text ?? "" : "",
                    siblings: items.count > 3 ? Int(items[3].int ?? 0) : 0,
                    version: items.count > 4 ? items[4].text ?? "" : ""))
        }
        return result
    }

    /// HS.PARTITIONS: one flat name/value array per partition.
    static func partitions(_ reply: RESPValue) -> [PartitionLoad]? {
        guard let rows = reply.array else { return nil }
        var result: [PartitionLoad] = []
        for row in rows {
            guard let f = row.fields, let p = f["partition"]?.int else { return nil }
            result.append(
                PartitionLoad(
                    partition: Int(p), replica: (f["replica"]?.int ?? 0) != 0, keys: f["keys"]?.int ?? 0,
                    tombstones: f["tombstones"]?.int ?? 0, bytes: f["bytes"]?.int ?? 0,
                    siblingKeys: f["siblingkeys"]?.int ?? 0, requests: f["requests"]?.int ?? 0))
        }
        return result
    }

    /// HS.AGREEMENT: [partition, peer id, milliseconds since that pair last agreed (-1 never)].
    static func agreement(_ reply: RESPValue) -> [(partition: Int, peer: String, milliseconds: Int64)]? {
        guard let rows = reply.array else { return nil }
        var result: [(partition: Int, peer: String, milliseconds: Int64)] = []
        for row in rows {
            guard let items = row.array, items.count >= 3, let p = items[0].int, let peer = items[1].text,
                let ms = items[2].int
            else { return nil }
            result.append((Int(p), peer, ms))
        }
        return result
    }

    /// HS.SIBLINGKEYS [count]: [[key, siblings], ...].
    static func siblingKeys(_ reply: RESPValue) -> [String: Int]? {
        guard let rows = reply.array else { return nil }
        var result: [String: Int] = [:]
        for row in rows {
            guard let items = row.array, items.count >= 2, let key = items[0].text, let n = items[1].int else {
                return nil
            }
            result[key] = Int(n)
        }
        return result
    }
}

/// The ring as one node computes it.
public struct RingLayout: Codable, Equatable, Sendable {
    public var partitions: Int
    public var replicas: Int
    public var members: [String]
    public var replicasOf: [[String]]
}

/// One key as one replica holds it (HS.DIGEST p KEYS).
public struct KeyDigest: Codable, Equatable, Sendable {
    public var key: String
    public var digest: String
    public var type: String
    public var siblings: Int
    public var version: String
}

/// One partition as one node holds it (HS.PARTITIONS).
public struct PartitionLoad: Codable, Equatable, Sendable {
    public var partition: Int
    public var replica: Bool
    public var keys: Int64
    public var tombstones: Int64
    public var bytes: Int64
    public var siblingKeys: Int64
    public var requests: Int64
}
