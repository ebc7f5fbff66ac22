/// A contiguous buffer of `Float` with value semantics, the unit every optimizer updates.
///
/// A model's parameters (or its gradients, or one optimizer state buffer) live in one flat
/// `FlatTensor`. Its storage is a `ContiguousArray<Float>`, shared between copies until one of
/// them is written (copy-on-write).
///
/// ```swift
/// var x: FlatTensor = [1, 2, 3]
/// x[0] = 4
/// Array(x)            // [4, 2, 3]
/// ```
///
/// Element writes through the subscript compile like an array's: in a loop, the copy-on-write
/// check is hoisted and the loop vectorised, at about the speed of a bulk write; ``zero()``, ``scale(by:)`` and ``add(_:scaledBy:)`` update the whole buffer in one
/// vectorised pass. Kernels reach the storage through ``withUnsafeBufferPointer(_:)`` and
/// ``withUnsafeMutableBufferPointer(_:)``; indices run from 0 to `count - 1`.
public struct FlatTensor: Sendable {
    @usableFromInline
    internal var elements: ContiguousArray<Float>

    /// Whether every element is known to be finite because a full pass found them so (set by
    /// ``GradientClipping/clipGlobalNorm(_:maxNorm:ranges:)`` on a finite norm) and nothing was
    /// written since. Lets a step skip its non-finite scan. It lives in the value, not in the
    /// shared storage: a copy carries it with the contents it shares, and every write clears it.
    @usableFromInline
    internal var isKnownFinite = false

    /// Creates an empty tensor.
    @inlinable
    public init() {
        elements = []
    }

    /// Creates a tensor holding `values`, in order.
    ///
    /// - Parameter values: The elements; a contiguous collection is copied in one pass.
    @inlinable
    public init<S: Sequence>(_ values: S) where S.Element == Float {
        if let tensor = values as? FlatTensor {
            self = tensor
            return
        }
        elements = values.withContiguousStorageIfAvailable { ContiguousArray($0) } ?? ContiguousArray(values)
    }

    /// Creates a tensor of `count` copies of `value`.
    ///
    /// - Parameters:
    ///   - value: The value of every element.
    ///   - count: The number of elements.
    /// - Precondition: `count >= 0`.
    @inlinable
    public init(repeating value: Float, count: Int) {
        precondition(count >= 0, "FlatTensor count must be non-negative, got \(count)")
        elements = ContiguousArray(repeating: value, count: count)
    }

    /// Creates a tensor of `count` zeros.
    ///
    /// - Parameter count: The number of elements.
    /// - Precondition: `count >= 0`.
    @inlinable
    public init(zeros count: Int) {
        self.init(repeating: 0, count: count)
    }

    /// Creates a tensor of `count` elements and lets `body` write them, without first filling
    /// them with a value (like `Array(unsafeUninitializedCapacity:initializingWith:)`).
    ///
    /// - Parameters:
    ///   - count: The number of elements, >= 0.
    ///   - body: Must write all `count` elements of the buffer it is given.
    /// - Throws: Whatever `body` throws; the tensor is then not created.
    @inlinable
    public init<E: Error>(
        count: Int, initializingWith body: (UnsafeMutableBufferPointer<Float>) throws(E) -> Void
    ) throws(E) {
        precondition(count >= 0, "FlatTensor count must be non-negative, got \(count)")
        elements = try ContiguousArray(unsafeUninitializedCapacity: count) { (buffer, initialized) throws(E) in
            try body(buffer)
            initialized = count
        }
    }

    /// The number of elements.
    @inlinable
    public var count: Int { elements.count }

    /// Calls `body` with a pointer to the elements, valid only for the duration of the call.
    ///
    /// - Parameter body: Reads the elements; the pointer must not escape.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    @inlinable
    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try elements.withUnsafeBufferPointer(body)
    }

    /// Calls `body` with a mutable pointer to the elements, copying them first if the storage is
    /// shared with another tensor. The pointer is valid only for the duration of the call.
    ///
    /// - Parameter body: Reads and writes the elements; the pointer must not escape.
    /// - Returns: What `body` returns.
    /// - Throws: What `body` throws.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        isKnownFinite = false
        return try elements.withUnsafeMutableBufferPointer {
            (buffer: inout UnsafeMutableBufferPointer<Float>) throws(E) in
            try body(buffer)
        }
    }

    /// The first element's address, for kernels; valid while this tensor is alive and unmodified
    /// through other paths (the array is never resized, so its storage does not move).
    @inlinable
    internal var base: UnsafePointer<Float> {
        elements.withUnsafeBufferPointer { $0.baseAddress } ?? UnsafePointer(FlatTensor.emptyBase)
    }

    /// The first element's address after making the storage unique (copying it if it is
    /// shared), for kernels that write; forgets that the contents were known to be finite.
    @inlinable
    internal mutating func mutableBase() -> UnsafeMutablePointer<Float> {
        isKnownFinite = false
        return elements.withUnsafeMutableBufferPointer { $0.baseAddress } ?? FlatTensor.emptyBase
    }

    /// A valid address for empty tensors, whose kernels read and write nothing.
    @usableFromInline
    nonisolated(unsafe) static let emptyBase = UnsafeMutablePointer<Float>.allocate(capacity: 16)
}

extension FlatTensor: RandomAccessCollection, MutableCollection {
    public typealias Index = Int
    public typealias Indices = Range<Int>

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { elements.count }
    @inlinable public var indices: Range<Int> { 0..<elements.count }

    /// The element at `index`, which must lie in `0..<count`.
    @inlinable
    public subscript(index: Int) -> Float {
        get { elements[index] }
        set {
            elements[index] = newValue
            isKnownFinite = false
        }
    }

    @inlinable
    public func withContiguousStorageIfAvailable<R>(
        _ body: (UnsafeBufferPointer<Float>) throws -> R
    ) rethrows -> R? {
        try elements.withContiguousStorageIfAvailable(body)
    }

    @inlinable
    public mutating func withContiguousMutableStorageIfAvailable<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R? {
        isKnownFinite = false
        return try elements.withContiguousMutableStorageIfAvailable(body)
    }
}

extension FlatTensor: ExpressibleByArrayLiteral {
    @inlinable
    public init(arrayLiteral elements: Float...) {
        self.init(elements)
    }
}

extension FlatTensor: Equatable {
    /// Element-wise equality with IEEE semantics (a NaN element makes two tensors unequal).
    @inlinable
    public static func == (lhs: FlatTensor, rhs: FlatTensor) -> Bool {
        lhs.elementsEqual(rhs)
    }
}

extension FlatTensor: Hashable {
    @inlinable
    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for value in self { hasher.combine(value) }
    }
}

extension FlatTensor: Codable {
    /// Decodes a plain array of numbers.
    ///
    /// - Parameter decoder: The decoder to read from.
    /// - Throws: `DecodingError` if the value is not an array of numbers.
    public init(from decoder: any Decoder) throws {
        self.init(try [Float](from: decoder))
    }

    /// Encodes as a plain array of numbers (`[1.0, 2.0]` in JSON).
    ///
    /// - Parameter encoder: The encoder to write to.
    /// - Throws: The encoder's error.
    public func encode(to encoder: any Encoder) throws {
        try Array(self).encode(to: encoder)
    }
}

extension FlatTensor: CustomStringConvertible {
    public var description: String {
        let shown = prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "FlatTensor([\(shown)\(count > 8 ? ", ... (\(count) elements)" : "")])"
    }
}

extension FlatTensor {
    /// Writes the elements into `destination` (as many as both hold; nothing when either is
    /// empty): how the copying pointer steps give an outside conformer's result back.
    func copyElements(to destination: UnsafeMutableBufferPointer<Float>) {
        withUnsafeBufferPointer { source in
            guard let from = source.baseAddress, let to = destination.baseAddress else { return }
            to.update(from: from, count: Swift.min(source.count, destination.count))
        }
    }
}
