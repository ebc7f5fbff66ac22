// Built with `-target-cpu haswell` (AVX2, FMA, F16C, BMI): every kernel of `_OptimizersKernels`
// compiled for 256-bit registers, eight lanes. The manifest leaves this module out where the
// flag does not exist (non-x86 hosts); the guard keeps a stray build harmless.
#if arch(x86_64)
    import _OptimizersKernels

    extension KernelTable {
        /// The AVX2 table: run it only where `optimizers_supported_level()` reports AVX2 or more.
        public static let avx2 = KernelTable(SIMD8<Float>.self)
    }
#endif
