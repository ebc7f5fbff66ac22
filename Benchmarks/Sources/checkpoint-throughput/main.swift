// Checkpoint write and restore speed for an AdamW optimizer of 10M parameters (80 MB of state),
// and the peak memory each adds (the target: at least 1 GB/s both ways, at most one extra copy
// of the state).
//
//     swift run -c release checkpoint-throughput [--parameters 10000000] [--repeats 5] [--folder /tmp]
//
// GB/s counts the file's bytes. Peak memory is the process's maximum resident set size after a
// phase (`getrusage`) minus its resident set just before it (/proc/self/statm): an upper bound of
// what the phase added. The write should add nothing (the buffers are written from the
// optimizer's own memory); the restore adds the restored state and at most the memory-mapped file
// it reads from (file-backed pages the kernel can drop).

import Foundation
import Optimizers

let arguments = CommandLine.arguments
func option(_ name: String) -> String? {
    arguments.firstIndex(of: name).flatMap { $0 + 1 < arguments.count ? arguments[$0 + 1] : nil }
}
let count = option("--parameters").flatMap(Int.init) ?? 10_000_000
let repeats = option("--repeats").flatMap(Int.init) ?? 5
let folder = URL(fileURLWithPath: option("--folder") ?? NSTemporaryDirectory())
let url = folder.appendingPathComponent("checkpoint-throughput-\(getpid()).ckpt")
defer { try? FileManager.default.removeItem(at: url) }

func maximumResidentMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024  // kilobytes on Linux
}

/// The resident set now (Linux: /proc/self/statm); elsewhere the high-water mark, which makes
/// the peaks below larger, never smaller.
func residentMegabytes() -> Double {
    guard let statm = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
        let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Double($0) })
    else { return maximumResidentMegabytes() }
    return pages * Double(sysconf(Int32(_SC_PAGESIZE))) / 1_048_576
}

func seconds(_ body: () throws -> Void) rethrows -> Double {
    let start = Date()
    try body()
    return Date().timeIntervalSince(start)
}

var optimizer = try AdamW(learningRate: 1e-3)
var parameters = FlatTensor(repeating: 0.5, count: count)
let gradients = FlatTensor((0..<count).map { Float($0 % 1000) * 1e-3 - 0.5 })  // kept: no freed peak below
try optimizer.step(parameters: &parameters, gradients: gradients)
let stateMegabytes = Double(2 * count * 4) / 1e6

let beforeWrite = residentMegabytes()
var writeTimes: [Double] = []
for _ in 0..<repeats { writeTimes.append(try seconds { try optimizer.writeCheckpoint(to: url) }) }
let afterWrite = maximumResidentMegabytes()
let bytes = Double(try FileManager.default.attributesOfItem(atPath: url.path)[.size] as! Int)

var readTimes: [Double] = []
var restored: (any StatefulOptimizer)?
let beforeRead = residentMegabytes()
for _ in 0..<repeats {
    restored = nil
    readTimes.append(try seconds { restored = try restoreOptimizer(from: url) })
}
let afterRead = maximumResidentMegabytes()
precondition((restored as? AdamW) == optimizer, "the restored optimizer differs")
withExtendedLifetime(gradients) {}

func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }
print(
    String(
        format: "AdamW, %d parameters, %.1f MB file (state %.1f MB), median of %d:", count, bytes / 1e6, stateMegabytes,
        repeats))
print(
    String(
        format: "  write (writeCheckpoint, atomic):  %.1f ms, %.2f GB/s; peak memory +%.0f MB",
        1000 * median(writeTimes), bytes / median(writeTimes) / 1e9, afterWrite - beforeWrite))
print(
    String(
        format:
            "  restore (restoreOptimizer):       %.1f ms, %.2f GB/s; peak memory +%.0f MB (the restored state is %.0f MB)",
        1000 * median(readTimes), bytes / median(readTimes) / 1e9, afterRead - beforeRead, stateMegabytes))
