// The one place that checks hyperparameters and counts. Every initialiser, every decoder and
// every restore goes through these, so a value that passes one path passes all of them.

import Foundation

/// Range checks that throw ``OptimizerError/invalidHyperparameter(name:value:allowed:)``.
enum Validate {
    /// A finite value >= 0 (learning rates, weight decay, momentum decay).
    static func nonNegative(_ name: String, _ value: Float) throws {
        guard value.isFinite && value >= 0 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, allowed: "a finite value >= 0")
        }
    }

    /// A finite value > 0 (epsilon: with 0, a coordinate whose gradients were all zero divides 0 by 0).
    static func positive(_ name: String, _ value: Float) throws {
        guard value.isFinite && value > 0 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, allowed: "a finite value > 0")
        }
    }

    /// An exponential-moving-average coefficient in [0, 1).
    static func coefficient(_ name: String, _ value: Float) throws {
        guard value >= 0 && value < 1 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, allowed: "[0, 1)")
        }
    }

    /// A value in [0, 1].
    static func fraction(_ name: String, _ value: Float) throws {
        guard value >= 0 && value <= 1 else {
            throw OptimizerError.invalidHyperparameter(name: name, value: value, allowed: "[0, 1]")
        }
    }

    /// A finite value >= `minimum`.
    static func atLeast(_ minimum: Float, _ name: String, _ value: Float) throws {
        guard value.isFinite && value >= minimum else {
            throw OptimizerError.invalidHyperparameter(
                name: name, value: value, allowed: "a finite value >= \(minimum)")
        }
    }

    /// An integer count in `range` (schedule lengths, shard counts).
    static func count(_ name: String, _ value: Int, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else {
            let allowed = range.upperBound == .max ? "an integer >= \(range.lowerBound)" : "an integer in \(range)"
            throw OptimizerError.invalidHyperparameter(name: name, value: Float(value), allowed: allowed)
        }
    }

    /// An integer count >= `minimum`.
    static func count(_ name: String, _ value: Int, minimum: Int) throws {
        try count(name, value, in: minimum...Int.max)
    }

    /// A state size given at initialisation.
    static func parameterCount(_ count: Int?) throws {
        if let count { try Validate.count("parameterCount", count, minimum: 0) }
    }

    /// Checks that `buffers` float buffers of `count` elements each, which the caller is about
    /// to allocate because an argument asked for them, fit in this machine's memory: a count
    /// no machine could hold (whose byte size may not even be representable) is refused
    /// instead of trapping or faulting in the allocator.
    static func allocation(_ name: String, count: Int, buffers: Int) throws {
        let bytes = count.multipliedReportingOverflow(by: 4 * max(buffers, 1))
        let memory = ProcessInfo.processInfo.physicalMemory
        guard !bytes.overflow, UInt64(bytes.partialValue) <= memory else {
            let limit = Int(clamping: memory / UInt64(4 * max(buffers, 1)))
            throw OptimizerError.invalidHyperparameter(
                name: name, value: Float(count),
                allowed: "at most \(limit) elements (\(max(buffers, 1)) float buffers of that many must fit in "
                    + "this machine's \(memory >> 20) MiB of memory)")
        }
    }
}

extension KeyedDecodingContainer {
    /// `decode(T.self, forKey: key)`, with the type inferred.
    func callAsFunction<T: Decodable>(_ key: Key) throws -> T {
        try decode(T.self, forKey: key)
    }

    /// The value at `key`, or `defaultValue` when the key is absent (fields added in later versions).
    func callAsFunction<T: Decodable>(_ key: Key, default defaultValue: T) throws -> T {
        try decodeIfPresent(T.self, forKey: key) ?? defaultValue
    }
}
