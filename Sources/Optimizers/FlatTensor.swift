/// A contiguous buffer of `Float` with value semantics, the unit every optimizer updates.
///
/// A model's parameters (or its gradients, or one optimizer state buffer) live in one flat
/// `FlatTensor`. Storage is one heap block aligned to 64 bytes (a cache line, and the widest
/// SIMD register on current CPUs), shared between copies until one of them is written
/// (copy-on-write), exactly like `Array`.
///
/// ```swift
/// var x: FlatTensor = [1, 2, 3]
/// x[0] = 4
/// Array(x)            // [4, 2, 3]
/// ```
///
/// Element writes through the subscript cost about what a bulk write costs once the storage is
/// unique; ``zero()``, ``scale(by:)`` and ``add(_:scaledBy:)`` update the whole buffer in one
/// vectorised pass. Kernels reach the storage through ``withUnsafeBufferPointer(_:)`` and
/// ``withUnsafeMutableBufferPointer(_:)``; indices run from 0 to `count - 1`.
public struct FlatTensor: Sendable {
    @usableFromInline
    internal var storage: Storage

    /// Whether every element is known to be finite because a full pass found them so (set by
    /// ``GradientClipping/clipGlobalNorm(_:maxNorm:ranges:)`` on a finite norm) and nothing was
    /// written since. Lets a step skip its non-finite scan. It lives in the value, not in the
    /// shared storage: a copy carries it with the contents it shares, and every write clears it.
    @usableFromInline
    internal var isKnownFinite = false

    /// Creates an empty tensor.
    @inlinable
    public init() {
        storage = Storage(count: 0)
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
        let copied: Storage? = values.withContiguousStorageIfAvailable { source in
            let storage = Storage(count: source.count)
            if let base = source.baseAddress { storage.base.initialize(from: base, count: source.count) }
            return storage
        }
        if let copied {
            storage = copied
        } else {
            let array = Array(values)
            storage = Storage(count: array.count)
            array.withUnsafeBufferPointer { source in
                if let base = source.baseAddress { storage.base.initialize(from: base, count: array.count) }
            }
        }
    }

    /// Creates a tensor of `count` copies of `value`.
    ///
    /// - Precondition: `count >= 0`.
    @inlinable
    public init(repeating value: Float, count: Int) {
        precondition(count >= 0, "FlatTensor count must be non-negative, got \(count)")
        storage = Storage(count: count)
        storage.base.initialize(repeating: value, count: count)
    }

    /// Creates a tensor of `count` zeros.
    ///
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
        storage = Storage(count: count)
        try body(UnsafeMutableBufferPointer(start: storage.base, count: count))
    }

    /// The number of elements.
    @inlinable
    public var count: Int { storage.count }

    /// Calls `body` with a pointer to the elements, valid only for the duration of the call.
    @inlinable
    public func withUnsafeBufferPointer<R, E: Error>(
        _ body: (UnsafeBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    /// Calls `body` with a mutable pointer to the elements, copying them first if the storage is
    /// shared with another tensor. The pointer is valid only for the duration of the call.
    @inlinable
    public mutating func withUnsafeMutableBufferPointer<R, E: Error>(
        _ body: (UnsafeMutableBufferPointer<Float>) throws(E) -> R
    ) throws(E) -> R {
        makeUnique()
        return try body(UnsafeMutableBufferPointer(start: storage.base, count: storage.count))
    }

    /// The first element's address, for kernels; valid while this tensor is alive and unmodified
    /// through other paths.
    @inlinable
    internal var base: UnsafePointer<Float> { UnsafePointer(storage.base) }

    /// The first element's address after making the storage unique, for kernels that write.
    @inlinable
    internal mutating func mutableBase() -> UnsafeMutablePointer<Float> {
        makeUnique()
        return storage.base
    }

    /// Called before every write: copies shared storage, and forgets that the contents were
    /// known to be finite.
    @inlinable @inline(__always)
    internal mutating func makeUnique() {
        if !isKnownUniquelyReferenced(&storage) {
            storage = storage.copy()
        }
        isKnownFinite = false
    }
}

extension FlatTensor {
    /// The heap block behind a tensor: `count` floats at a 64-byte-aligned address.
    @usableFromInline
    internal final class Storage: @unchecked Sendable {
        // Sendable: the block is written only through a uniquely referenced storage
        // (`makeUnique` before every mutation), so a shared block is immutable.
        @usableFromInline let base: UnsafeMutablePointer<Float>
        @usableFromInline let count: Int

        /// Bytes of alignment for every block.
        @usableFromInline static let alignment = 64

        @inlinable
        init(count: Int) {
            self.count = count
            let raw = UnsafeMutableRawPointer.allocate(
                byteCount: Swift.max(count, 1) * MemoryLayout<Float>.stride, alignment: Storage.alignment)
            base = raw.bindMemory(to: Float.self, capacity: Swift.max(count, 1))
        }

        @inlinable
        func copy() -> Storage {
            let new = Storage(count: count)
            new.base.initialize(from: base, count: count)
            return new
        }

        deinit {
            base.deallocate()
        }
    }
}

extension FlatTensor: RandomAccessCollection, MutableCollection {
    public typealias Index = Int
    public typealias Indices = Range<Int>

    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { storage.count }
    @inlinable public var indices: Range<Int> { 0..<storage.count }

    /// The element at `index`, which must lie in `0..<count`.
    @inlinable
    public subscript(index: Int) -> Float {
        get {
            precondition(
                index >= 0 && index < storage.count, "FlatTensor index \(index) out of range 0..<\(storage.count)")
            return storage.base[index]
        }
        set {
            precondition(
                index >= 0 && index < storage.count, "FlatTensor index \(index) out of range 0..<\(storage.count)")
            makeUnique()
            storage.base[index] = newValue
        }
    }

    @inlinable
    public func withContiguousStorageIfAvailable<R>(
        _ body: (UnsafeBufferPointer<Float>) throws -> R
    ) rethrows -> R? {
        try body(UnsafeBufferPointer(start: storage.base, count: storage.count))
    }

    @inlinable
    public mutating func withContiguousMutableStorageIfAvailable<R>(
        _ body: (inout UnsafeMutableBufferPointer<Float>) throws -> R
    ) rethrows -> R? {
        makeUnique()
        var buffer = UnsafeMutableBufferPointer(start: storage.base, count: storage.count)
        return try body(&buffer)
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
    public init(from decoder: any Decoder) throws {
        self.init(try [Float](from: decoder))
    }

    /// Encodes as a plain array of numbers (`[1.0, 2.0]` in JSON).
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
