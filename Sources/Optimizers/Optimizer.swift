/// A first-order optimizer: updates parameters in place from their gradients.
///
/// Conforming types keep whatever state they need (momenta, step count) and apply one update
/// per call to ``step(parameters:gradients:)-(FlatTensor,_)``. The update of every optimizer in
/// this module is element-wise, so `parameters` and `gradients` are flat buffers of the same
/// length.
///
/// ```swift
/// var optimizer = try S3(learningRate: 3e-3)
/// try optimizer.step(parameters: &weights, gradients: gradients)
/// ```
///
/// The optimizers in this module share these rules:
/// - Hyperparameters are validated by the initialiser, which throws ``OptimizerError``.
/// - ``learningRate`` may change between steps (schedules); an invalid value makes the next
///   `step` throw before anything is changed.
/// - State is allocated on the first step for that step's element count (or at initialisation
///   when `parameterCount` is given); a later step with a different count throws.
/// - Non-finite gradients are rejected before anything is changed (see ``GradientCheck``).
/// - Whatever a step throws, the parameters and the optimizer are exactly as they were.
/// - A step on empty buffers does nothing.
public protocol Optimizer {
    /// The learning rate of the next step.
    var learningRate: Float { get set }

    /// Applies one update to `parameters` using `gradients`.
    ///
    /// - Parameters:
    ///   - parameters: The values to update, in place.
    ///   - gradients: One gradient per parameter.
    /// - Throws: ``OptimizerError``, with `parameters` and the optimizer unchanged.
    mutating func step(parameters: inout FlatTensor, gradients: FlatTensor) throws

    /// Applies one update to memory the caller owns (a model's own arrays), in place.
    ///
    /// The same validation, gradient check and errors as the `FlatTensor` step, and the same
    /// guarantee: whatever is thrown, nothing was changed. The two buffers must not overlap
    /// (the library's optimizers check it and throw ``OptimizerError/overlappingBuffers``);
    /// they may be read and written by nothing else during the call.
    ///
    /// The default implementation copies into `FlatTensor`s and back; this module's optimizers
    /// run their kernels on the caller's memory directly.
    ///
    /// - Parameters:
    ///   - parameters: The values to update, in place.
    ///   - gradients: One gradient per parameter.
    /// - Throws: ``OptimizerError``, with the parameters and the optimizer unchanged.
    mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>) throws
}

extension Optimizer {
    public mutating func step(parameters: UnsafeMutableBufferPointer<Float>, gradients: UnsafeBufferPointer<Float>)
        throws
    {
        var tensor = FlatTensor(parameters)
        try step(parameters: &tensor, gradients: FlatTensor(gradients))
        tensor.copyElements(to: parameters)
    }
}

/// What an optimizer does about NaN and infinite gradients.
public enum GradientCheck: String, Sendable, Codable, CaseIterable {
    /// Scan the gradients before touching anything and throw
    /// ``OptimizerError/nonFiniteGradient(index:value:)`` naming the first bad element;
    /// parameters and state stay exactly as they were. The default.
    case rejectNonFinite
    /// Trust the caller (who has already checked, for instance through a finite gradient norm).
    /// A NaN or infinity then flows into the parameters and the optimizer state and stays there.
    case assumeFinite
}
