import RESP

/// A command error carried as Redis text.
struct CommandError: Error {
    var text: String
    init(_ text: String) { self.text = text }
    init(_ text: StaticString) { self.text = text.description }
}

/// Turning EX/PX/EXAT/PXAT arguments into absolute Unix milliseconds, with Redis's checks.
enum Expiry {
    enum Unit {
        case seconds, milliseconds, unixSeconds, unixMilliseconds

        init?(_ a: Arguments, _ i: Int) {
            if a.matches(i, "EX") {
                self = .seconds
            } else if a.matches(i, "PX") {
                self = .milliseconds
            } else if a.matches(i, "EXAT") {
                self = .unixSeconds
            } else if a.matches(i, "PXAT") {
                self = .unixMilliseconds
            } else {
                return nil
            }
        }
    }

    enum Change {
        case unchanged, persist
        case at(Int64)
    }

    /// `now + amount * unit` in wall-clock milliseconds, or nil on overflow.
    static func relative(_ amount: Int64, unitMilliseconds: Int64, now: WallTime) -> Int64? {
        let (ms, o1) = amount.multipliedReportingOverflow(by: unitMilliseconds)
        guard !o1 else { return nil }
        let (when, o2) = now.milliseconds.addingReportingOverflow(ms)
        return o2 ? nil : when
    }

    /// Reads argument `i` as an expiry of `unit`. Zero or negative values and overflow are
    /// "invalid expire time", as for SET and GETEX in Redis.
    static func parse(_ a: Arguments, _ i: Int, unit: Unit, now: WallTime, command: String) -> Result<
        Int64, CommandError
    > {
        guard let amount = a.int64(i) else { return .failure(CommandError(ErrorText.notInteger)) }
        guard amount > 0 else { return .failure(CommandError(ErrorText.invalidExpire(command))) }
        let when: Int64?
        switch unit {
        case .seconds: when = relative(amount, unitMilliseconds: 1000, now: now)
        case .milliseconds: when = relative(amount, unitMilliseconds: 1, now: now)
        case .unixSeconds: when = relative(amount, unitMilliseconds: 1000, now: .zero)
        case .unixMilliseconds: when = amount
        }
        guard let when else { return .failure(CommandError(ErrorText.invalidExpire(command))) }
        return .success(when)
    }
}

/// The options of SET: [NX | XX] [GET] [EX s | PX ms | EXAT t | PXAT t | KEEPTTL].
struct SetOptions {
    enum Condition { case always, ifAbsent, ifPresent }
    enum ExpiryChoice {
        case none, keep
        case at(Int64)
    }

    var condition = Condition.always
    var returnOld = false
    var expiry = ExpiryChoice.none

    static func parse(_ a: Arguments, from start: Int, now: WallTime, command: String) -> Result<
        SetOptions, CommandError
    > {
        var o = SetOptions()
        var expirySet = false
        var i = start
        while i < a.count {
            if a.matches(i, "NX"), o.condition == .always {
                o.condition = .ifAbsent
            } else if a.matches(i, "XX"), o.condition == .always {
                o.condition = .ifPresent
            } else if a.matches(i, "GET"), !o.returnOld {
                o.returnOld = true
            } else if a.matches(i, "KEEPTTL"), !expirySet {
                o.expiry = .keep
                expirySet = true
            } else if let unit = Expiry.Unit(a, i), !expirySet, i + 1 < a.count {
                switch Expiry.parse(a, i + 1, unit: unit, now: now, command: command) {
                case .success(let when): o.expiry = .at(when)
                case .failure(let e): return .failure(e)
                }
                expirySet = true
                i += 1
            } else {
                return .failure(CommandError(ErrorText.syntax))
            }
            i += 1
        }
        return .success(o)
    }
}
