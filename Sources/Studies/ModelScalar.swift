import Foundation

/// The floating-point types the study models run in: `Float` for training, `Double` for
/// checking the hand-written gradients against finite differences.
public protocol ModelScalar: BinaryFloatingPoint, Sendable {
    static func tanh(_ x: Self) -> Self
    static func exp(_ x: Self) -> Self
    static func log(_ x: Self) -> Self
}

extension Float: ModelScalar {
    public static func tanh(_ x: Float) -> Float { Foundation.tanh(x) }
    public static func exp(_ x: Float) -> Float { Foundation.exp(x) }
    public static func log(_ x: Float) -> Float { Foundation.log(x) }
}

extension Double: ModelScalar {
    public static func tanh(_ x: Double) -> Double { Foundation.tanh(x) }
    public static func exp(_ x: Double) -> Double { Foundation.exp(x) }
    public static func log(_ x: Double) -> Double { Foundation.log(x) }
}
