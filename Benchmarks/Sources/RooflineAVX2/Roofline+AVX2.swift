// The streaming loops built with `-target-cpu haswell`, like `_OptimizersAVX2`.
import Roofline

#if arch(x86_64)
    public let avx2StreamingTable = StreamingTable(SIMD8<Float>.self)
#else
    public let avx2StreamingTable = StreamingTable.baseline  // no such level on this architecture
#endif
