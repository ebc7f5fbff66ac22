import Foundation
import Optimizers
import Testing

@Suite("Checkpoints")
struct CheckpointTests {
    enum Route: CaseIterable { case binaryFile, json, typeErased }

    /// Checkpoint after 7 steps of a warmup-cosine schedule, resume, and compare 8 more steps
    /// with the uninterrupted run: parameters and optimizer state equal bit for bit.
    @Test(arguments: Catalog.all, Route.allCases)
    func resumeIsBitExact(_ entry: Entry, _ route: Route) throws {
        let schedule = try LearningRateSchedule.warmupCosine(peak: 1e-2, warmupSteps: 5, totalSteps: 15)
        var rng = SplitMix64(seed: 13)
        let gradients = (0..<15).map { _ in randomTensor(37, &rng, exponents: -12...4) }
        var optimizer = try entry.make(learningRate: schedule(0))
        var x = randomTensor(37, &rng, exponents: -4...0)
        for t in 0..<7 {
            optimizer.learningRate = schedule(optimizer.stepCount)
            try optimizer.step(parameters: &x, gradients: gradients[t])
        }
        var resumed = try Self.reload(optimizer, route)
        #expect(sameOptimizer(resumed, optimizer) && resumed.stepCount == 7)
        var resumedX = x
        for t in 7..<15 {
            optimizer.learningRate = schedule(optimizer.stepCount)
            resumed.learningRate = schedule(resumed.stepCount)
            try optimizer.step(parameters: &x, gradients: gradients[t])
            try resumed.step(parameters: &resumedX, gradients: gradients[t])
        }
        #expect(x.map(\.bitPattern) == resumedX.map(\.bitPattern))
        #expect(try checkpointBytes(resumed) == checkpointBytes(optimizer))
    }

    /// A fresh optimizer (no state yet) round-trips too.
    @Test(arguments: Catalog.all, Route.allCases)
    func unallocatedStateRoundTrips(_ entry: Entry, _ route: Route) throws {
        let optimizer = try entry.make(learningRate: 0.5)
        #expect(sameOptimizer(try Self.reload(optimizer, route), optimizer))
    }

    static func reload(_ optimizer: any StatefulOptimizer, _ route: Route) throws -> any StatefulOptimizer {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID().uuidString).bin")
        defer { try? FileManager.default.removeItem(at: url) }
        func open<T: StatefulOptimizer>(_ typed: T) throws -> any StatefulOptimizer {
            switch route {
            case .binaryFile:
                try typed.checkpoint.write(to: url)
                return try T(restoring: Checkpoint(contentsOf: url))
            case .json:
                let data = try JSONEncoder().encode(typed.checkpoint)
                return try T(restoring: JSONDecoder().decode(Checkpoint<T>.self, from: data))
            case .typeErased:
                try typed.writeCheckpoint(to: url)
                return try restoreOptimizer(from: url)
            }
        }
        return try open(optimizer)
    }

    static func trained() throws -> (AdamW, Data) {
        var optimizer = try AdamW(learningRate: 1e-3)
        var x = FlatTensor(repeating: 1, count: 21)
        try optimizer.step(parameters: &x, gradients: FlatTensor(repeating: 0.5, count: 21))
        return (optimizer, try optimizer.checkpoint.binaryRepresentation())
    }

    /// Damaged files are refused with a precise error, and the optimizer they were meant to
    /// replace is unchanged. (CheckpointRobustnessTests sweeps every truncation and bit flip.)
    @Test func damagedFilesAreRefusedAndChangeNothing() throws {
        var (optimizer, data) = try Self.trained()
        let before = optimizer
        func expectRefused(
            _ bytes: Data, _ matches: (CheckpointError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation
        ) {
            let error = #expect(throws: CheckpointError.self, sourceLocation: sourceLocation) {
                optimizer = try AdamW(restoring: Checkpoint(binaryRepresentation: bytes))
            }
            if let error { #expect(matches(error), "\(error)", sourceLocation: sourceLocation) }
            #expect(optimizer == before, sourceLocation: sourceLocation)
        }
        for length in [0, 5, 11, 30, data.count / 2, data.count - 1] {
            expectRefused(data.prefix(length)) { if case .truncated = $0 { true } else { false } }
        }
        for index in [20, data.count / 2, data.count - 20] {
            var corrupted = data
            corrupted[index] ^= 0x10
            expectRefused(corrupted) { $0 == .checksumMismatch }
        }
        var newer = data
        newer[8] = 3
        expectRefused(newer) { $0 == .unsupportedVersion(found: 3, supported: 2) }
        expectRefused(data + Data([0])) { $0 == .trailingBytes(count: 1) }
        expectRefused(Data("not a checkpoint at all, just text".utf8)) { $0 == .notACheckpoint }

        // A valid S3 checkpoint is not an AdamW one.
        let s3 = try S3(learningRate: 1e-3).checkpoint.binaryRepresentation()
        expectRefused(s3) { $0 == .wrongOptimizer(expected: "AdamW", found: "S3") }
    }

    /// Decoded values go through the same validation as `init`.
    @Test func invalidContentsAreRefused() throws {
        let (optimizer, _) = try Self.trained()
        var checkpoint = optimizer.checkpoint
        let json = String(decoding: try JSONEncoder().encode(checkpoint), as: UTF8.self)
        let badBeta = json.replacingOccurrences(of: "\"beta1\":0.9", with: "\"beta1\":1.5")
        #expect(badBeta != json)
        #expect(throws: OptimizerError.invalidHyperparameter(name: "beta1", value: 1.5, allowed: "[0, 1)")) {
            try JSONDecoder().decode(Checkpoint<AdamW>.self, from: Data(badBeta.utf8))
        }
        checkpoint.stateCount = 22  // buffers hold 21 elements
        #expect(throws: CheckpointError.bufferCountMismatch(buffer: "firstMoment", expected: 22, found: 21)) {
            try AdamW(restoring: checkpoint)
        }
        checkpoint.stateCount = 21
        checkpoint.learningRate = -1
        #expect(throws: OptimizerError.self) { try AdamW(restoring: checkpoint) }
    }

    @Test func writeReplacesAtomically() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("optimizer.ckpt")
        try Data("old".utf8).write(to: url)
        let (optimizer, data) = try Self.trained()
        try optimizer.checkpoint.write(to: url)
        #expect(try Data(contentsOf: url) == data)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["optimizer.ckpt"],
            "no temporary file left")
        // A folder that does not exist: an error, and nothing written.
        #expect(throws: (any Error).self) {
            try optimizer.checkpoint.write(to: folder.appendingPathComponent("missing/x.ckpt"))
        }
    }

    /// Files written in format version 1 (FNV-1a checksum, no AMSGrad buffer) still restore.
    @Test func versionOneFilesAreRead() throws {
        let (optimizer, data) = try Self.trained()
        let version1 = try CheckpointBytes(data).rewritten(version: 1, dropEmptyTrailingBuffers: true)
        #expect(try AdamW(restoring: Checkpoint(binaryRepresentation: version1)) == optimizer)
    }

    /// Any conformer can write a binary checkpoint (its state travels in the JSON metadata) and
    /// read it back; the type-erased restore names it as unknown.
    @Test func outsideConformersCheckpointToo() throws {
        var optimizer = try HalvingOptimizer(learningRate: 0.5)
        var x: FlatTensor = [4, 8]
        try optimizer.step(parameters: &x, gradients: [1, 1])
        let data = try optimizer.checkpoint.binaryRepresentation()
        #expect(try HalvingOptimizer(restoring: Checkpoint(binaryRepresentation: data)) == optimizer)
        #expect(throws: CheckpointError.unknownOptimizer("HalvingOptimizer")) {
            try restoreOptimizer(binaryRepresentation: data)
        }
    }
}

/// A minimal outside `StatefulOptimizer` (plain gradient descent that remembers its step count).
struct HalvingOptimizer: StatefulOptimizer {
    struct State: Codable, Equatable, Sendable { var steps = 0 }
    var learningRate: Float
    var configuration: [String: Float] { [:] }
    var state = State()
    var stateCount: Int? { nil }
    var stepCount: Int { state.steps }
    var gradientCheck = GradientCheck.rejectNonFinite
    var recordsTelemetry = false
    var telemetry: UpdateTelemetry? { nil }

    init(learningRate: Float) throws { self.learningRate = learningRate }

    init(restoring checkpoint: Checkpoint<HalvingOptimizer>) throws {
        (learningRate, state) = (checkpoint.learningRate, checkpoint.state)
    }

    mutating func step(parameters: inout FlatTensor, gradients: FlatTensor) throws {
        try parameters.add(gradients, scaledBy: -learningRate)
        state.steps += 1
    }

    mutating func step(parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups) throws {
        try step(parameters: &parameters, gradients: gradients)
    }

    mutating func step(
        shard: Range<Int>, of parameters: inout FlatTensor, gradients: FlatTensor, groups: ParameterGroups?
    ) throws {
        var slice = FlatTensor(parameters[shard])
        try step(parameters: &slice, gradients: gradients)
        for (offset, value) in slice.enumerated() { parameters[shard.lowerBound + offset] = value }
    }
}
