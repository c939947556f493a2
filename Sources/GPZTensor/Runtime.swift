import CTorch

/// Process-wide settings of the tensor backend.
///
/// At load time the shim already applies the glibc malloc settings that stop libtorch's large activations from
/// being mmap'ed and unmapped on every step (`M_MMAP_THRESHOLD` 32 MiB, `M_TRIM_THRESHOLD` 1 GiB, `M_TOP_PAD`
/// 256 MiB; the `MALLOC_*_` environment variables win) and sets one intra-op thread per core available to the
/// process (`GPZ_NUM_THREADS` overrides).
public enum Runtime {
    /// Intra-op threads libtorch uses.
    public static var threads: Int { Int(ctorch_get_num_threads()) }

    /// The libtorch version the shim was built against, e.g. `2.13.0`.
    public static var backendVersion: String { String(cString: ctorch_version()) }

    public static func setThreads(_ n: Int) throws {
        try checkStatus("set_num_threads", ctorch_set_num_threads(Int32(clamping: n)))
    }

    /// Seeds the global generator: the same seed gives bit-identical random tensors and training runs.
    public static func manualSeed(_ seed: UInt64) throws {
        try checkStatus("manual_seed", ctorch_manual_seed(seed))
    }

    /// What selects the CPU kernels, and so the last digits of results: the CPU capability ATen dispatches to,
    /// MKL and the oneDNN version, e.g. `cpu AVX512, MKL, oneDNN v3.12.0`.
    public static var kernels: String { String(cString: ctorch_build_info()) }
}
