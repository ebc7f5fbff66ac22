// The streaming loops for each instruction-set level, next to the library's choice of level.
import Optimizers
import Roofline
import RooflineAVX2
import RooflineAVX512

extension StreamingTable {
    /// The streaming loops built for `level`.
    public static func table(for level: InstructionSet) -> StreamingTable {
        switch level {
        case .baseline: baseline
        case .avx2: avx2StreamingTable
        case .avx512: avx512StreamingTable
        }
    }

    /// The streaming loops of the level the library runs at (`InstructionSet.active`).
    public static var active: StreamingTable { table(for: InstructionSet.active) }
}
