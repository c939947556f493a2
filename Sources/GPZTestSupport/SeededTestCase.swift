import GPZTensor
import XCTest

/// A test case that seeds libtorch's generator before every test (inputs and initialisations are reproducible)
/// and runs it on one intra-op thread: small test tensors gain little from a second thread, and on a machine whose
/// cores are busy with other work, OpenMP threads waiting for each other made them up to ten times slower.
open class SeededTestCase: XCTestCase {
    private var savedThreads = 1

    open override func setUpWithError() throws {
        try Runtime.manualSeed(20240601)
        savedThreads = Runtime.threads
        try Runtime.setThreads(1)
    }

    open override func tearDownWithError() throws {
        try Runtime.setThreads(savedThreads)
    }
}
