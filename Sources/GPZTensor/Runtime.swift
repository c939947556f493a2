import CTorch
import Foundation

/// Process-wide settings of the tensor backend.
///
/// At load time the shim already applies the glibc malloc settings that stop libtorch's large activations from
/// being mmap'ed and unmapped on every step (`M_MMAP_THRESHOLD` 32 MiB, `M_TRIM_THRESHOLD` 1 GiB, `M_TOP_PAD`
/// 256 MiB; the `MALLOC_*_` environment variables win) and sets one intra-op thread per core available to the
/// process (`GPZ_NUM_THREADS` overrides).
public enum Runtime {
    /// Intra-op threads libtorch uses.
    public static var threads: Int { Int(ctorch_get_num_threads()) }

    /// The libtorch version the shim was built against, e.g. `1.13.0`.
    public static var backendVersion: String { String(cString: ctorch_version()) }

    public static func setThreads(_ n: Int) throws {
        try checkStatus("set_num_threads", ctorch_set_num_threads(Int32(clamping: n)))
    }

    /// Seeds the global generator: the same seed gives bit-identical random tensors and training runs.
    public static func manualSeed(_ seed: UInt64) throws {
        try checkStatus("manual_seed", ctorch_manual_seed(seed))
    }

    /// The BLAS shared libraries actually mapped into this process (for example
    /// `/usr/lib/x86_64-linux-gnu/openblas-openmp/libblas.so.3`), read from /proc/self/maps; "unknown" when none.
    public static var blasLibrary: String {
        guard let file = FileHandle(forReadingAtPath: "/proc/self/maps"),
              let maps = String(data: file.readDataToEndOfFile(), encoding: .utf8) else { return "unknown" }
        var found: [String] = []
        for line in maps.split(separator: "\n") {
            guard let path = line.split(separator: " ", omittingEmptySubsequences: true).last,
                  path.hasPrefix("/") else { continue }
            let file = path.split(separator: "/").last ?? ""
            if file.contains("blas") || file.contains("mkl"), !found.contains(String(path)) { found.append(String(path)) }
        }
        return found.isEmpty ? "unknown" : found.joined(separator: ", ")
    }
}
