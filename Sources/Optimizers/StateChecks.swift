// Checks of restored state contents, and the views of bfloat16 moment pairs that state
// accessors and checks share.

import _OptimizersKernels

enum Checks {
    /// Throws ``CheckpointError/invalidBufferValue(buffer:index:value:allowed:)`` for the first
    /// element of `values` that is not finite or fails `isValid`.
    static func all(_ values: FlatTensor, buffer: String, _ allowed: String, _ isValid: (Float) -> Bool = { _ in true })
        throws
    {
        try values.withUnsafeBufferPointer { elements in
            for (index, value) in elements.enumerated() where !(value.isFinite && isValid(value)) {
                throw CheckpointError.invalidBufferValue(
                    buffer: buffer, index: index, value: value,
                    allowed: allowed.isEmpty ? "finite" : "finite and \(allowed)")
            }
        }
    }
}

/// Each element's two moments packed as bfloat16 halves of one 32-bit slot (see ``MomentPrecision``).
enum BFloat16Moments {
    /// The high halves (the first moment) as floats.
    static func first(_ slots: FlatTensor) -> FlatTensor {
        FlatTensor(slots.lazy.map { Float(bitPattern: $0.bitPattern & 0xffff_0000) })
    }

    /// The low halves (the second value) as floats.
    static func second(_ slots: FlatTensor) -> FlatTensor {
        FlatTensor(slots.lazy.map { Float(bitPattern: $0.bitPattern << 16) })
    }

    /// Throws for the first slot whose halves are not finite or for which `problem` names what
    /// is wrong.
    static func validate(_ slots: FlatTensor, buffer: String, _ problem: (_ first: Float, _ second: Float) -> String?)
        throws
    {
        try slots.withUnsafeBufferPointer { elements in
            for (index, slot) in elements.enumerated() {
                let first = Float(bitPattern: slot.bitPattern & 0xffff_0000),
                    second = Float(bitPattern: slot.bitPattern << 16)
                let reason = first.isFinite && second.isFinite ? problem(first, second) : "finite bfloat16 halves"
                if let reason {
                    throw CheckpointError.invalidBufferValue(buffer: buffer, index: index, value: slot, allowed: reason)
                }
            }
        }
    }
}
