/// States an invariant where it must hold (TigerBeetle's habit: assert the positive and the
/// negative space). Checked in debug and test builds, where every test and simulated run
/// exercises it; compiled out of release builds, whose hot paths it would slow. Invariants
/// that protect data against input a peer sent use `precondition` or a decode error instead.
@inline(__always)
func invariant(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #file,
    line: UInt = #line
) {
    #if DEBUG
        precondition(condition(), message(), file: file, line: line)
    #endif
}
