import Foundation

/// One line of the benchmark report: what was measured, the figure, and the goal it is held against
/// (issue 14's table), so a reader sees at once where the project stands.
enum Figure {
    /// Prints `name`, `measured` and `goal` in three columns.
    static func print(_ name: String, _ measured: String, goal: String = "") {
        let line =
            name.padding(toLength: 50, withPad: " ", startingAt: 0)
            + measured.padding(toLength: 44, withPad: " ", startingAt: 0) + (goal.isEmpty ? "" : "goal \(goal)")
        Swift.print(line)
    }

    /// `value` with `digits` decimals.
    static func number(_ value: Double, _ digits: Int = 0) -> String {
        String(format: "%.\(digits)f", value)
    }
}
