import Foundation
import Optimizers
import Testing

@Suite("Checkpoints")
struct CheckpointTests {
    enum Route: CaseIterable { case binaryFile, json }

    /// Checkpoint after 7 steps of a warmup-cosine schedule, resume, and compare 8 more steps
    /// with the uninterrupted run: parameters and optimizer state equal bit for bit.
    @Test(arguments: Catalog.all, Route.allCases)
    func resumeIsBitExact(_ entry: Entry, _ route: Route) throws {
        let schedule = try LearningRateSchedule.warmupCosine(peak: 1e-2, warmupSteps: 5, totalSteps: 15)
        var rng = SplitMix64(seed: 13)
        let gradients = (0..<15).map { _ in FlatTensor((0..<37).map { _ in rng.float(exponents: -12...4) }) }
        var optimizer = try entry.make(learningRate: schedule(0))
        var x = FlatTensor((0..<37).map { _ in rng.float(exponents: -4...0) })
        for t in 0..<7 {
            optimizer.learningRate = schedule(t)
            try optimizer.step(parameters: &x, gradients: gradients[t])
        }
        var resumed = try reload(optimizer, route)
        #expect(sameOptimizer(resumed, optimizer))
        var resumedX = x
        for t in 7..<15 {
            optimizer.learningRate = schedule(t)
            resumed.learningRate = schedule(t)
            try optimizer.step(parameters: &x, gradients: gradients[t])
            try resumed.step(parameters: &resumedX, gradients: gradients[t])
        }
        #expect(x.map(\.bitPattern) == resumedX.map(\.bitPattern))
        #expect(sameOptimizer(resumed, optimizer))
    }

    /// A fresh optimizer (no state yet) round-trips too.
    @Test(arguments: Catalog.all)
    func unallocatedStateRoundTrips(_ entry: Entry) throws {
        let optimizer = try entry.make(learningRate: 0.5)
        #expect(sameOptimizer(try reload(optimizer, .binaryFile), optimizer))
    }

    func reload(_ optimizer: any Optimizer, _ route: Route) throws -> any Optimizer {
        func open<T: StatefulOptimizer>(_ typed: T) throws -> any Optimizer {
            switch route {
            case .binaryFile:
                let url = FileManager.default.temporaryDirectory.appendingPathComponent("checkpoint-\(UUID().uuidString).bin")
                defer { try? FileManager.default.removeItem(at: url) }
                try typed.checkpoint.write(to: url)
                return try T(restoring: Checkpoint(contentsOf: url))
            case .json:
                let data = try JSONEncoder().encode(typed.checkpoint)
                return try T(restoring: JSONDecoder().decode(Checkpoint<T>.self, from: data))
            }
        }
        let stateful = optimizer as! any StatefulOptimizer
        return try open(stateful)
    }

    func trained() throws -> (AdamW, Data) {
        var optimizer = try AdamW(learningRate: 1e-3)
        var x = FlatTensor(repeating: 1, count: 21)
        try optimizer.step(parameters: &x, gradients: FlatTensor(repeating: 0.5, count: 21))
        return (optimizer, try optimizer.checkpoint.binaryRepresentation())
    }

    /// Every damaged file is refused with a precise error, and the optimizer it was meant to
    /// replace is unchanged.
    @Test func damagedFilesAreRefusedAndChangeNothing() throws {
        var (optimizer, data) = try trained()
        let before = optimizer
        func expectRefused(_ bytes: Data, _ matches: (CheckpointError) -> Bool, sourceLocation: SourceLocation = #_sourceLocation) {
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
        newer[8] = 2
        expectRefused(newer) { $0 == .unsupportedVersion(found: 2, supported: 1) }
        expectRefused(Data("not a checkpoint at all, just text".utf8)) { $0 == .notACheckpoint }

        // A valid S3 checkpoint is not an AdamW one.
        let s3 = try S3(learningRate: 1e-3).checkpoint.binaryRepresentation()
        expectRefused(s3) { $0 == .wrongOptimizer(expected: "AdamW", found: "S3") }
    }

    /// Decoded values go through the same validation as `init`.
    @Test func invalidContentsAreRefused() throws {
        let (optimizer, _) = try trained()
        var checkpoint = optimizer.checkpoint
        let json = String(decoding: try JSONEncoder().encode(checkpoint), as: UTF8.self)
        let badBeta = json.replacingOccurrences(of: "\"beta1\":0.9", with: "\"beta1\":1.5")
        #expect(badBeta != json)
        let decoded = try JSONDecoder().decode(Checkpoint<AdamW>.self, from: Data(badBeta.utf8))
        #expect(throws: OptimizerError.invalidHyperparameter(name: "beta1", value: 1.5, allowed: "[0, 1)")) {
            try AdamW(restoring: decoded)
        }
        checkpoint.stateCount = 22  // buffers hold 21 elements
        #expect(throws: CheckpointError.self) { try AdamW(restoring: checkpoint) }
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
        let (optimizer, data) = try trained()
        try optimizer.checkpoint.write(to: url)
        #expect(try Data(contentsOf: url) == data)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["optimizer.ckpt"], "no temporary file left")
    }
}
