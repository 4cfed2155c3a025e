import Foundation

/// Many seeds run side by side, and what they add up to.
public enum SimulationRun {
    /// Runs `seeds`, `jobs` at a time, and returns their reports in seed order.
    public static func run(seeds: [UInt64], jobs: Int) async throws -> [SimulationReport] {
        var reports: [SimulationReport] = []
        var pending = seeds.makeIterator()
        try await withThrowingTaskGroup(of: SimulationReport.self) { group in
            for _ in 0..<jobs {
                guard let seed = pending.next() else { break }
                group.addTask { try await Simulation.run(seed: seed) }
            }
            while let report = try await group.next() {
                reports.append(report)
                if let seed = pending.next() { group.addTask { try await Simulation.run(seed: seed) } }
            }
        }
        return reports.sorted { $0.seed < $1.seed }
    }

    /// The totals of a run.
    public struct Summary: Sendable {
        /// Every seed's report.
        public var reports: [SimulationReport]
        /// The reports with violations.
        public var failed: [SimulationReport] { reports.filter { !$0.violations.isEmpty } }

        /// The totals of `reports`.
        public init(_ reports: [SimulationReport]) {
            self.reports = reports
        }

        /// The report as printed: totals, faults by kind, then each violation with the seed reproducing it.
        public func text(elapsed: TimeInterval, verbose: Bool = false) -> String {
            func total(_ value: (SimulationReport) -> Int) -> Int { reports.map(value).reduce(0, +) }
            var faults: [FaultKind: Int] = [:]
            for report in reports { faults.merge(report.faults, uniquingKeysWith: +) }
            var lines = [
                "seeds run: \(reports.count)" + (reports.count == 1 ? " (seed \(reports[0].seed))" : ""),
                "steps: \(total(\.steps))  requests: \(total(\.requests))  deliveries: \(total(\.deliveries))  "
                    + "restarts: \(total(\.restarts))",
                "orders: \(total(\.ordersComplete)) complete, \(total(\.ordersCancelled)) cancelled  "
                    + "charges: \(total(\.charges)), refunded: \(total(\.refunds))",
                "faults injected: \(total(\.faultCount))"
                    + faults.sorted { $0.key < $1.key }.map { "\n  \($0.key.rawValue): \($0.value)" }.joined(),
                "dead letters (each explained by its faults): \(total(\.deadLetters))",
            ]
            if verbose {
                var answers: [String: Int] = [:]
                for report in reports { answers.merge(report.answers, uniquingKeysWith: +) }
                lines.append(
                    "answers:" + answers.sorted { $0.key < $1.key }.map { "\n  \($0.key): \($0.value)" }.joined())
            }
            let failed = self.failed
            lines.append("violations: \(total { $0.violations.count }) in \(failed.count) seeds")
            for report in failed {
                lines.append("seed \(report.seed) (reproduce: scripts/simulate --seed \(report.seed)):")
                let shown = verbose ? report.violations : Array(report.violations.prefix(5))
                lines += shown.map { "  - \($0)" }
                if shown.count < report.violations.count {
                    lines.append("  … \(report.violations.count - shown.count) more")
                }
            }
            lines.append(String(format: "time: %.1f s", elapsed))
            return lines.joined(separator: "\n")
        }
    }
}
