// Coverage-guided fuzzing of everything that reads bytes from outside: binary checkpoints
// (typed and type-erased), JSON checkpoints, decoded configurations and parameter groups.
// None of them may trap, allocate beyond the input's size, or return an optimizer that
// cannot step.
//
// Fuzzing (libFuzzer, in the toolchain): `.ci/fuzz SECONDS` builds this target with
// `-sanitize=fuzzer -DFUZZING` in `.build-fuzz`, writes valid checkpoints of every optimizer as
// seeds (`checkpoint-fuzz --write-seeds DIR`) and runs libFuzzer on them.
//
// Without `-DFUZZING` the tool replays files (`checkpoint-fuzz FILE...`) or writes the seeds.

import Foundation
import Optimizers

/// Feeds `data` to every reader of outside bytes. A reader may refuse (throw); it may not trap,
/// and what it accepts must be an optimizer that can take a step.
func exercise(_ data: Data) {
    if var optimizer = try? restoreOptimizer(binaryRepresentation: data), let count = optimizer.stateCount,
        count <= 1 << 16
    {
        var parameters = FlatTensor(repeating: 0.5, count: count)
        _ = try? optimizer.step(parameters: &parameters, gradients: FlatTensor(repeating: 0.25, count: count))
    }
    let decoder = JSONDecoder()
    if let checkpoint = try? decoder.decode(Checkpoint<S3>.self, from: data) { _ = try? S3(restoring: checkpoint) }
    if let checkpoint = try? decoder.decode(Checkpoint<AdamW>.self, from: data) {
        _ = try? AdamW(restoring: checkpoint)
    }
    _ = try? decoder.decode(ParameterGroups.self, from: data)
    _ = try? decoder.decode(NAdam.Configuration.self, from: data)
}

/// Small valid checkpoints of every optimizer, binary and JSON: where fuzzing starts.
func seeds() throws -> [(String, Data)] {
    var optimizers: [any StatefulOptimizer] = [
        try SGDM(learningRate: 0.1), try AdamW(learningRate: 1e-3, amsgrad: true), try NAdam(learningRate: 1e-3),
        try Lion(learningRate: 1e-4), try Adan(learningRate: 1e-3), try S3(learningRate: 1e-2),
        try S3(learningRate: 1e-2, momentPrecision: .bfloat16),
    ]
    var result: [(String, Data)] = []
    for index in optimizers.indices {
        var x: FlatTensor = [0.5, -1, 2]
        try optimizers[index].step(parameters: &x, gradients: [0.1, -0.2, 0.3])
        func encode<T: StatefulOptimizer>(_ optimizer: T) throws -> [Data] {
            [try optimizer.checkpoint.binaryRepresentation(), try JSONEncoder().encode(optimizer.checkpoint)]
        }
        for (kind, data) in zip(["bin", "json"], try encode(optimizers[index])) {
            result.append(("\(index).\(kind)", data))
        }
    }
    return result
}

/// One fuzzing input: the libFuzzer callback.
func fuzz(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    exercise(bytes.map { Data(bytes: $0, count: count) } ?? Data())
    return 0
}

#if FUZZING
    /// libFuzzer's entry point (SwiftPM links an executable's `@main` as its `main`, so libFuzzer's
    /// own `main` is not the one that runs).
    @_silgen_name("LLVMFuzzerRunDriver")
    func runFuzzer(
        _ argc: UnsafeMutablePointer<CInt>,
        _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>>,
        _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt
    ) -> CInt
#endif

@main
enum CheckpointFuzz {
    static func main() throws {
        #if FUZZING
            var argc = CommandLine.argc, argv = CommandLine.unsafeArgv
            exit(runFuzzer(&argc, &argv) { fuzz($0, $1) })
        #else
            let arguments = Array(CommandLine.arguments.dropFirst())
            if arguments.first == "--write-seeds", arguments.count == 2 {
                let folder = URL(fileURLWithPath: arguments[1])
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
                for (name, data) in try seeds() { try data.write(to: folder.appendingPathComponent(name)) }
                return
            }
            for path in arguments { exercise(try Data(contentsOf: URL(fileURLWithPath: path))) }
            print("replayed \(arguments.count) inputs")
        #endif
    }
}
