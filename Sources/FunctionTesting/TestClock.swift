import Foundation
import FunctionKit

/// The clock of handler tests: a ``ManualClock`` that starts at 2026-01-01T00:00:00Z unless told otherwise.
public typealias TestClock = ManualClock

extension ManualClock {
    /// A clock showing 2026-01-01T00:00:00Z.
    public convenience init() {
        self.init(Date(timeIntervalSince1970: 1_767_225_600))
    }
}
