/// Every kernel's entry point, specialised for one vector type and compiled for one
/// instruction-set level.
///
/// The initialiser is generic and `@inlinable`: the module that calls it compiles every kernel
/// body for its own target. `_OptimizersKernels` builds the baseline table (eight lanes),
/// `_OptimizersAVX2` the same source under `-target-cpu haswell` (eight lanes, one AVX
/// register), `_OptimizersAVX512` under `-target-cpu skylake-avx512` with sixteen lanes. The
/// kernels are element-wise and use no instruction whose result depends on the level, so all
/// three tables compute the same bits.
///
/// A new optimizer adds its kernel file and one entry here.
public struct KernelTable: Sendable {
    /// Lanes per vector.
    public let vectorWidth: Int
    public let sgdm: KernelFunction
    public let plainSGD: KernelFunction
    public let nAdam: KernelFunction
    public let lion: KernelFunction
    public let adan: KernelFunction
    /// `[bfloat16][amsgrad]`.
    @usableFromInline let adamWVariants: [[KernelFunction]]
    /// `[power][nesterov][bfloat16]`.
    @usableFromInline let s3Variants: [[[KernelFunction]]]
    /// Writes the first non-finite index of its range (or `Int.max`) as an `Int`.
    public let firstNonFinite: KernelFunction
    /// `[TensorOperation]`.
    @usableFromInline let tensorOperations: [KernelFunction]
    public let sumOfSquares: KernelFunction

    @inlinable
    public init<V: FloatVector>(_: V.Type) {
        vectorWidth = V.laneCount
        sgdm = SGDMKernel<V>.entry
        plainSGD = PlainSGDKernel<V>.entry
        nAdam = NAdamKernel<V>.entry
        lion = LionKernel<V>.entry
        adan = AdanKernel<V>.entry
        adamWVariants = [
            [AdamWKernel<V, Float32Moments, Off>.entry, AdamWKernel<V, Float32Moments, On>.entry],
            [AdamWKernel<V, AdamWBFloat16Moments, Off>.entry, AdamWKernel<V, AdamWBFloat16Moments, On>.entry],
        ]
        func s3<P: PowerMean>(_: P.Type) -> [[KernelFunction]] {
            [
                [S3Kernel<V, P, Off, Float32Moments>.entry, S3Kernel<V, P, Off, S3BFloat16Moments>.entry],
                [S3Kernel<V, P, On, Float32Moments>.entry, S3Kernel<V, P, On, S3BFloat16Moments>.entry],
            ]
        }
        s3Variants = [
            s3(PowerOne.self), s3(PowerTwo.self), s3(PowerThree.self), s3(PowerFour.self), s3(PowerGeneral.self),
        ]
        firstNonFinite = NonFiniteScan.entry(V.self)
        tensorOperations = [
            TensorKernel<V, ZeroOperation>.entry, TensorKernel<V, CopyOperation>.entry,
            TensorKernel<V, ScaleOperation>.entry, TensorKernel<V, AddScaledOperation>.entry,
            TensorKernel<V, AddThenDivideOperation>.entry,
        ]
        sumOfSquares = SumOfSquares.entry
    }

    @inlinable
    public func adamW(bfloat16: Bool, amsgrad: Bool) -> KernelFunction {
        adamWVariants[bfloat16 ? 1 : 0][amsgrad ? 1 : 0]
    }

    @inlinable
    public func s3(_ power: S3Power, nesterov: Bool, bfloat16: Bool) -> KernelFunction {
        s3Variants[power.rawValue][nesterov ? 1 : 0][bfloat16 ? 1 : 0]
    }

    @inlinable
    public func tensor(_ operation: TensorOperation) -> KernelFunction {
        switch operation {
        case .zero: tensorOperations[0]
        case .copy: tensorOperations[1]
        case .scale: tensorOperations[2]
        case .addScaled: tensorOperations[3]
        case .addThenDivide: tensorOperations[4]
        }
    }

    /// The table of the architecture's baseline (eight lanes), compiled with this module.
    public static let baseline = KernelTable(SIMD8<Float>.self)
}

/// How S3 takes `|g|^p` and its root: p = 1, 2, 3 and 4 have dedicated kernels.
public enum S3Power: Int, Sendable {
    /// p = 1: no powers or roots at all.
    case one
    /// p = 2, 3, 4: products, and `sqrt`, a division-free Newton cube root, or `sqrt(sqrt)`.
    case two, three, four
    /// Any other p: `exp2(p log2 x)` with vector polynomials.
    case general

    @inlinable
    public init(_ p: Float) {
        switch p {
        case 1: self = .one
        case 2: self = .two
        case 3: self = .three
        case 4: self = .four
        default: self = .general
        }
    }
}
