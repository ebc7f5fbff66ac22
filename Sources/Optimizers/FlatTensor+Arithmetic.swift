import _OptimizersKernels

// In-place arithmetic on a whole tensor: one vectorised pass at the active instruction-set
// level, split across threads for large tensors (as optimizer steps are), no allocation.

extension FlatTensor {
    /// Sets every element to 0.
    public mutating func zero() {
        apply(.zero, factor: 0)
        isKnownFinite = true
    }

    /// Multiplies every element by `factor`.
    ///
    /// - Parameter factor: Any float; each element becomes the correctly rounded product.
    public mutating func scale(by factor: Float) {
        apply(.scale, factor: factor)
    }

    /// Adds `factor * other` to this tensor, element by element (`axpy`).
    ///
    /// - Parameters:
    ///   - other: A tensor of the same count.
    ///   - factor: Multiplies `other` first (1: a plain sum, exactly).
    /// - Throws: ``OptimizerError/tensorCountMismatch(expected:found:)``, with nothing changed.
    public mutating func add(_ other: FlatTensor, scaledBy factor: Float = 1) throws {
        guard other.count == count else {
            throw OptimizerError.tensorCountMismatch(expected: count, found: other.count)
        }
        other.withUnsafeBufferPointer { apply(.addScaled, source: $0.baseAddress!, factor: factor) }
    }

    /// Runs the tensor kernel `operation` over every element.
    mutating func apply(_ operation: TensorOperation, source: UnsafePointer<Float>? = nil, factor: Float) {
        let destination = mutableBase()
        let arguments = TensorArguments(
            destination: destination, source: source ?? UnsafePointer(destination), factor: factor)
        _ = runPass(InstructionSet.currentKernels.tensor(operation), arguments, over: 0..<count)
    }
}
