import Foundation
import Synchronization
import _OptimizersKernels
import _OptimizersShims

#if canImport(_OptimizersAVX2)
    import _OptimizersAVX2
#endif
#if canImport(_OptimizersAVX512)
    import _OptimizersAVX512
#endif

/// The instruction-set level the kernels run at.
///
/// Every kernel is compiled once per level (on x86-64: the baseline SSE2 build, `-target-cpu
/// haswell` and `-target-cpu skylake-avx512`), and the best level this processor and operating
/// system support is chosen at the first step. All levels compute the same bits: the kernels
/// are element-wise, use no fused multiply-add and no approximate instruction, and sum in a
/// fixed order, so only the speed depends on the machine.
///
/// The environment variable `OPTIMIZERS_ISA` (`baseline`, `avx2` or `avx512`) forces a lower
/// level, for measurements; a level the machine cannot run, or an unknown name, is refused with
/// a message on standard error and the detected level is used (see ``selectionNote``).
public enum InstructionSet: String, Sendable, CaseIterable, Codable, Comparable {
    /// The architecture's baseline: SSE2 on x86-64 (eight lanes in two registers), NEON on arm64.
    case baseline
    /// AVX2 with FMA, BMI and F16C (x86-64, from Haswell and Excavator on): eight lanes, one register.
    case avx2
    /// AVX-512 F, CD, BW, DQ and VL (x86-64, from Skylake-SP and Zen 4 on): sixteen lanes.
    case avx512

    /// The level every step runs at, chosen at first use.
    public static var active: InstructionSet { selection.level }

    /// Why ``active`` differs from the best ``available`` level, when it does (a refused or
    /// honoured `OPTIMIZERS_ISA`); nil otherwise.
    public static var selectionNote: String? { selection.note }

    /// The levels this build has kernels for and this machine can run, lowest first.
    public static var available: [InstructionSet] {
        let supported = Int(optimizers_supported_level())
        return allCases.filter { $0.table != nil && $0.order <= supported }
    }

    /// Lanes per vector at this level.
    public var vectorWidth: Int { self == .avx512 ? 16 : 8 }

    public static func < (a: InstructionSet, b: InstructionSet) -> Bool { a.order < b.order }

    private var order: Int {
        switch self {
        case .baseline: OPTIMIZERS_LEVEL_BASELINE
        case .avx2: OPTIMIZERS_LEVEL_AVX2
        case .avx512: OPTIMIZERS_LEVEL_AVX512
        }
    }

    /// This level's kernels, or nil when this build has none for it.
    var table: KernelTable? {
        switch self {
        case .baseline: return .baseline
        case .avx2:
            #if canImport(_OptimizersAVX2)
                return .avx2
            #else
                return nil
            #endif
        case .avx512:
            #if canImport(_OptimizersAVX512)
                return .avx512
            #else
                return nil
            #endif
        }
    }

    private static let selection: (level: InstructionSet, note: String?) = {
        let best = available.last ?? .baseline
        guard let requested = ProcessInfo.processInfo.environment["OPTIMIZERS_ISA"] else { return (best, nil) }
        let note: String
        if let level = InstructionSet(rawValue: requested), level <= best {
            return (
                level, "OPTIMIZERS_ISA=\(requested): running \(level.rawValue) (this machine supports \(best.rawValue))"
            )
        } else if InstructionSet(rawValue: requested) != nil {
            note =
                "OPTIMIZERS_ISA=\(requested) refused: this machine and build support up to \(best.rawValue); running \(best.rawValue)"
        } else {
            note =
                "OPTIMIZERS_ISA=\(requested) refused: not one of \(allCases.map(\.rawValue).joined(separator: ", ")); running \(best.rawValue)"
        }
        FileHandle.standardError.write(Data("Optimizers: \(note)\n".utf8))
        return (best, note)
    }()

    // MARK: Forcing a level in one task (tests)

    /// The level forced for the current task by ``withForcedLevel(_:_:)``.
    @TaskLocal private static var forced: InstructionSet?
    /// Whether any task ever forced a level: until then, steps do not look up the task-local value.
    private static let everForced = Atomic<Bool>(false)

    /// Runs `body` with every step in this task at `level` (which must be ``available``); other
    /// tasks and threads keep ``active``. For tests that compare levels in one process.
    static func withForcedLevel<R>(_ level: InstructionSet, _ body: () throws -> R) rethrows -> R {
        precondition(available.contains(level), "\(level) is not available on this machine")
        everForced.store(true, ordering: .relaxed)
        return try $forced.withValue(level, operation: body)
    }

    /// The kernels a step on this task uses.
    static var currentKernels: KernelTable {
        if everForced.load(ordering: .relaxed), let forced { return forced.table! }
        return activeKernels
    }

    private static let activeKernels = active.table!
}
