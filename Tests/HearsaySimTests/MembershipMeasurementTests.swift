import HearsaySim
import Testing

/// The README numbers. Slow: enabled only with HEARSAY_MEASURE=1, meant for
/// `swift test -c release --filter MembershipMeasurement`.
struct MembershipMeasurementTests {
    @Test(.enabled(if: environment("HEARSAY_MEASURE") != nil))
    func report_forTenHundredThousandNodes_shouldProduceAllTables() {
        let sizes = (environment("HEARSAY_MEASURE_SIZES") ?? "10,100,1000").split(separator: ",").compactMap { Int($0) }
        let report = MembershipMeasurements.report(sizes: sizes)
        print(report)
        #expect(report.contains("per 10,000 node-periods"))
    }

    @Test func detection_smallCluster_shouldFindTheCrashWithinBoundedPeriods() {
        let d = MembershipMeasurements.detection(nodes: 8, seeds: [1, 2])
        #expect(d.meanPeriods > 0 && d.worstPeriods < 60)
        #expect(d.messagesPerNodePerPeriod > 1 && d.messagesPerNodePerPeriod < 6)
    }
}
