import Optimizers

/// The six optimizers of the studies, each with the library's defaults and, as in the paper,
/// gradient clipping at 1.0 for every optimizer but S3.
public enum OptimizerChoice: String, CaseIterable, Sendable {
    case sgdm = "SGDM"
    case adamW = "AdamW"
    case nAdam = "NAdam"
    case lion = "Lion"
    case adan = "Adan"
    case s3 = "S3"

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

/// A named way to build an optimizer for a learning rate, with its clipping threshold: one of
/// the six (``OptimizerChoice/recipe``) or an S3 ablation variant (``s3(beta1:beta2:p:nesterov:)``).
public struct OptimizerRecipe: Sendable {
    public let name: String
    public let clipping: Float?
    public let make: @Sendable (Float) throws -> any StatefulOptimizer

    public init(name: String, clipping: Float?, make: @escaping @Sendable (Float) throws -> any StatefulOptimizer) {
        (self.name, self.clipping, self.make) = (name, clipping, make)
    }

    /// S3 with the given coefficients, p, Nesterov setting and moment storage (no clipping).
    public static func s3(
        beta1: Float, beta2: Float, p: Float, nesterov: Bool,
        momentPrecision: MomentPrecision = .float32
    ) -> OptimizerRecipe {
        let storage = momentPrecision == .float32 ? "" : " \(momentPrecision.rawValue) moments"
        let name = "S3 b1=\(beta1) b2=\(beta2) p=\(p)\(nesterov ? "" : " no-NAG")\(storage)"
        return OptimizerRecipe(name: name, clipping: nil) { rate in
            try S3(
                learningRate: rate, beta1: beta1, beta2: beta2, p: p, nesterov: nesterov,
                momentPrecision: momentPrecision)
        }
    }
}

extension OptimizerRecipe {
    /// AdamW or S3 (library defaults) with their moments stored as bfloat16.
    public static func bfloat16(_ choice: OptimizerChoice) -> OptimizerRecipe {
        precondition(choice == .adamW || choice == .s3, "only AdamW and S3 store bfloat16 moments")
        return OptimizerRecipe(name: "\(choice.rawValue) bfloat16 moments", clipping: choice.clipping) { rate in
            if choice == .s3 { return try S3(learningRate: rate, momentPrecision: .bfloat16) }
            return try AdamW(learningRate: rate, momentPrecision: .bfloat16)
        }
    }
}

extension OptimizerChoice {
    public var recipe: OptimizerRecipe {
        OptimizerRecipe(name: rawValue, clipping: clipping) { try self.make(learningRate: $0) }
    }
}
