// Why the optimizers store moments as bfloat16 rather than IEEE Float16: how fast this build
// converts Float <-> Float16, next to a plain float loop over the same buffer (G values/s, best
// of 5 over 4M values). Run it in the default build and with `-Xswiftc -target-cpu
// -Xswiftc haswell` (F16C) to compare:
//
//     swift run -c release half-conversion
//     swift run -c release --scratch-path .build-haswell -Xswiftc -target-cpu -Xswiftc haswell half-conversion

import Foundation

let count = 1 << 22
var floats = (0..<count).map { Float($0 % 1000) * 0.001 }
var halves = [Float16](repeating: 0, count: count)

func measure(_ label: String, _ body: () -> Void) {
    var best = Double.infinity
    for _ in 0..<5 {
        let start = Date()
        body()
        best = min(best, Date().timeIntervalSince(start))
    }
    print(
        label.padding(toLength: 24, withPad: " ", startingAt: 0),
        String(format: "%.2f G values/s", Double(count) / best / 1e9))
}

measure("float loop (a x + b)") {
    floats.withUnsafeMutableBufferPointer { f in for i in 0..<count { f[i] = f[i] * 0.5 + 0.25 } }
}
measure("Float -> Float16") {
    floats.withUnsafeBufferPointer { f in
        halves.withUnsafeMutableBufferPointer { h in for i in 0..<count { h[i] = Float16(f[i]) } }
    }
}
measure("Float16 -> Float") {
    halves.withUnsafeBufferPointer { h in
        floats.withUnsafeMutableBufferPointer { f in for i in 0..<count { f[i] = Float(h[i]) } }
    }
}
print("checksum", floats[12_345], halves[777])  // keeps the loops alive
