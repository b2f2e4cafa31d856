import Glibc
import HearsayCore

/// The clocks the runtime reads and hands to the core (the core never reads one): the
/// monotonic clock for timers, deadlines and ages, the wall clock for expiry and hybrid
/// timestamps (it may step backwards; the core copes).
enum Clocks {
    static func monotonic() -> Instant { Instant(nanoseconds: read(CLOCK_MONOTONIC)) }
    static func wall() -> WallTime { WallTime(nanoseconds: read(CLOCK_REALTIME)) }
    static func now() -> Now { Now(monotonic: monotonic(), wall: wall()) }

    private static func read(_ clock: clockid_t) -> Int64 {
        var ts = timespec()
        clock_gettime(clock, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}

/// Facts about this process that INFO shows.
enum ProcessFacts {
    /// Resident set size from /proc/self/statm (pages * page size); 0 where unavailable.
    static func residentBytes() -> Int {
        guard let f = fopen("/proc/self/statm", "r") else { return 0 }
        defer { fclose(f) }
        var size = 0
        var resident = 0
        guard
            withUnsafeMutablePointer(
                to: &size,
                { s in
                    withUnsafeMutablePointer(to: &resident) { r in fscanfTwo(f, s, r) }
                })
        else { return 0 }
        return resident * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    private static func fscanfTwo(
        _ f: UnsafeMutablePointer<FILE>, _ a: UnsafeMutablePointer<Int>,
        _ b: UnsafeMutablePointer<Int>
    ) -> Bool {
        var buffer = [CChar](repeating: 0, count: 128)
        guard fgets(&buffer, 128, f) != nil else { return false }
        let fields = String(cString: buffer).split(separator: " ")
        guard fields.count >= 2, let x = Int(fields[0]), let y = Int(fields[1]) else { return false }
        a.pointee = x
        b.pointee = y
        return true
    }

    static var processID: Int { Int(getpid()) }
}
