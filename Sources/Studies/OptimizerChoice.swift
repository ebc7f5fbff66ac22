import Optimizers

/// The six optimizers of the studies, each with the library's defaults and, as in the paper,
/// gradient clipping at 1.0 for every optimizer but S3.
public enum OptimizerChoice: String, CaseIterable, Sendable {
    case sgdm = "SGDM", adamW = "AdamW", nAdam = "NAdam", lion = "Lion", adan = "Adan", s3 = "S3"

    /// A fresh optimizer at `learningRate`.
    public func make(learningRate: Float) throws -> any StatefulOptimizer {
        switch self {
        case .sgdm: try SGDM(learningRate: learningRate)
        case .adamW: try AdamW(learningRate: learningRate)
        case .nAdam: try NAdam(learningRate: learningRate)
        case .lion: try Lion(learningRate: learningRate)
        case .adan: try Adan(learningRate: learningRate)
        case .s3: try S3(learningRate: learningRate)
        }
    }

    /// The global-norm clipping threshold the paper uses with this optimizer (nil: none).
    public var clipping: Float? { self == .s3 ? nil : 1 }
}
