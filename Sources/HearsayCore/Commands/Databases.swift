import RESP

/// Redis's numbered databases (SELECT 0-15) as one keyspace: a key of database n > 0 is
/// stored as `FF n key`, a key of database 0 as itself, or as `FF 00 key` when it begins with
/// FF, so no two (database, key) pairs share stored bytes. Stored keys are what partitions,
/// replicas, anti-entropy, eviction and the inspector see, so every database is replicated
/// and repaired like the rest; the commands that list or count keys (KEYS, SCAN, RANDOMKEY,
/// DBSIZE, FLUSHDB, INFO keyspace) read only the selected database's and show its keys bare.
public enum Databases {
    public static let count = 16
    static let marker: UInt8 = 0xFF

    /// The stored form of `key` in database `db`, appended to `out`.
    static func append(_ key: UnsafeRawBufferPointer, db: Int, to out: inout [UInt8]) {
        if db != 0 {
            out += [marker, UInt8(db)]
        } else if key.first == marker {
            out += [marker, 0]
        }
        out.append(contentsOf: key)
    }

    /// The database and the key as the client names it, of a stored key.
    @inlinable
    static func split(_ stored: UnsafeRawBufferPointer) -> (db: Int, key: UnsafeRawBufferPointer) {
        guard stored.count >= 2, stored[0] == 0xFF else { return (0, stored) }
        return (Int(stored[1]), UnsafeRawBufferPointer(rebasing: stored[2...]))
    }

    /// Whether any argument after the command begins with the marker byte (then its keys
    /// need escaping even in database 0). A few instructions a request.
    @inlinable @inline(__always)
    static func anyArgumentMarked(_ a: Arguments) -> Bool { a.anyArgument(from: 1, beginsWith: 0xFF) }

    /// `a` with each key argument (by the command table's key positions) in its stored form
    /// for database `db`; nil when the command has no keys or the wrong number of arguments
    /// (it then runs as sent, to give its reply or error).
    static func storedArguments(_ a: Arguments, _ id: CommandID, db: Int) -> Transaction.Queued? {
        let (first, last, step) = CommandTable.keyPositions[Int(id.rawValue)]
        guard first > 0, first < a.count else { return nil }
        let end = last < 0 ? a.count + last : min(last, a.count - 1)
        var isKey = [Bool](repeating: false, count: a.count)
        var i = first
        while i <= end {
            isKey[i] = true
            i += max(1, step)
        }
        var queued = Transaction.Queued(bytes: [], spans: [])
        for index in 0..<a.count {
            let start = queued.bytes.count
            if isKey[index] {
                append(a[index], db: db, to: &queued.bytes)
            } else {
                queued.bytes.append(contentsOf: a[index])
            }
            queued.spans += [start, queued.bytes.count - start]
        }
        return queued
    }
}

extension Node {
    /// SELECT: 0 to 15, as Redis's default `databases`.
    mutating func select(_ a: Arguments, _ session: inout ClientSession, _ r: inout ReplyBuffer) {
        guard let db = a.int64(1) else { return r.error("ERR value is not an integer or out of range") }
        guard db >= 0 && db < Int64(Databases.count) else { return r.error("ERR DB index is out of range") }
        session.db = Int(db)
        clients[session.id]?.db = session.db
        r.ok()
    }
}

extension Keyspace {
    /// Whether every stored key is a database 0 key as the client named it (nothing was ever
    /// stored under the marker byte): the listing commands then need no filtering.
    public var holdsOnlyPlainKeys: Bool { !hasMarkedKeys }

    /// The live keys of database `db`, how many of them expire, by a walk over every entry
    /// (O(keys): only when some key was stored under the marker).
    func count(inDatabase db: Int, now: WallTime) -> (keys: Int, expiring: Int) {
        if holdsOnlyPlainKeys { return db == 0 ? (liveCount, expiringCount) : (0, 0) }
        var keys = 0
        var expiring = 0
        for p in 0..<partitionCount {
            forEachKey(inPartition: p, now: now) { box in
                guard box.withKey({ Databases.split($0).db }) == db else { return }
                keys += 1
                if box.header.expiresAtMilliseconds != 0 { expiring += 1 }
            }
        }
        return (keys, expiring)
    }
}
