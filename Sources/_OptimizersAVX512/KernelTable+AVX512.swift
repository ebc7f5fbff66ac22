// Built with `-target-cpu skylake-avx512` (AVX-512 F, CD, BW, DQ, VL): every kernel of
// `_OptimizersKernels` compiled for 512-bit registers, sixteen lanes. The manifest leaves this
// module out where the flag does not exist (non-x86 hosts); the guard keeps a stray build harmless.
#if arch(x86_64)
    import _OptimizersKernels

    extension KernelTable {
        /// The AVX-512 table: run it only where `optimizers_supported_level()` reports AVX-512.
        public static let avx512 = KernelTable(SIMD16<Float>.self)
    }
#endif
