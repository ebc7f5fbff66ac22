// The streaming loops built with `-target-cpu skylake-avx512` and sixteen lanes, like `_OptimizersAVX512`.
import Roofline

#if arch(x86_64)
    public let avx512StreamingTable = StreamingTable(SIMD16<Float>.self)
#else
    public let avx512StreamingTable = StreamingTable.baseline  // no such level on this architecture
#endif
