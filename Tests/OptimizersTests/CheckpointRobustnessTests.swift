import Foundation
import Optimizers
import Testing

/// Bytes from outside cannot crash the library or get an invalid value past it: every
/// truncation and every single-bit flip of a small checkpoint of every optimizer, sizes and
/// counters up to `Int.max`, and contents no run can produce, each refused with a typed error.
@Suite("Checkpoint robustness")
struct CheckpointRobustnessTests {
    /// A valid binary checkpoint of `entry` after three steps on three elements.
    static func small(_ entry: Entry) throws -> Data {
        let (optimizer, _, _) = try warmedUp(entry, count: 3)
        return Data(try checkpointBytes(optimizer))
    }

    static func refusal(_ data: Data) -> (any Error)? {
        do {
            _ = try restoreOptimizer(binaryRepresentation: data)
            return nil
        } catch {
            return error
        }
    }

    @Test(arguments: Catalog.all)
    func everyTruncationIsRefused(_ entry: Entry) throws {
        let data = try Self.small(entry)
        #expect(try restoreOptimizer(binaryRepresentation: data).stepCount == 3)
        for length in 0..<data.count {
            let error = Self.refusal(data.prefix(length))
            guard case .truncated(_, let found)? = error as? CheckpointError else {
                Issue.record("\(entry.name), \(length) of \(data.count) bytes: \(String(describing: error))")
                continue
            }
            #expect(found == length)
        }
    }

    @Test(arguments: Catalog.all)
    func everySingleBitFlipIsRefused(_ entry: Entry) throws {
        let data = try Self.small(entry)
        var refused = 0
        for bit in 0..<(8 * data.count) {
            var flipped = data
            flipped[bit / 8] ^= 1 << UInt8(bit % 8)
            if Self.refusal(flipped) is CheckpointError {
                refused += 1
            } else {
                Issue.record("\(entry.name): bit \(bit) accepted")
            }
        }
        #expect(refused == 8 * data.count)
        print("checkpoint robustness \(entry.name): \(data.count) truncations and \(refused) bit flips refused")
    }

    @Test(arguments: Catalog.all)
    func trailingBytesAreRefused(_ entry: Entry) throws {
        let data = try Self.small(entry)
        for count in 1...24 {
            #expect(
                Self.refusal(data + Data(repeating: 0x5a, count: count)) as? CheckpointError
                    == .trailingBytes(count: count))
        }
    }

    /// Counts read from the file are checked against its size before anything is allocated.
    @Test(arguments: Catalog.all)
    func hugeCountsAreRefusedWithoutAllocating(_ entry: Entry) throws {
        let file = try CheckpointBytes(Self.small(entry))
        for huge: UInt64 in [1 << 31, 1 << 40, 1 << 61, UInt64(Int.max), .max] {
            let counts = file.buffers.indices.map { $0 == 0 ? huge : file.buffers[$0].count }
            let error = Self.refusal(file.rewritten(counts: counts))
            guard case .truncated? = error as? CheckpointError else {
                Issue.record("count \(huge): \(String(describing: error))")
                continue
            }
        }
        for bufferCount: UInt32 in [1 << 31, .max] {
            guard case .truncated? = Self.refusal(file.rewritten(bufferCount: bufferCount)) as? CheckpointError else {
                Issue.record("buffer count \(bufferCount) accepted")
                continue
            }
        }
        for stateCount in [1 << 31, 1 << 40, 1 << 61, Int.max] {
            let error = Self.refusal(
                file.rewritten { $0.replacingOccurrences(of: "\"stateCount\":3", with: "\"stateCount\":\(stateCount)") }
            )
            guard case .bufferCountMismatch(_, let expected, 3)? = error as? CheckpointError, expected == stateCount
            else {
                Issue.record("stateCount \(stateCount): \(String(describing: error))")
                continue
            }
        }
        let negative = Self.refusal(
            file.rewritten { $0.replacingOccurrences(of: "\"stateCount\":3", with: "\"stateCount\":-3") })
        #expect(negative is CheckpointError)
    }

    @Test(arguments: Catalog.all)
    func impossibleStepCountsAreRefused(_ entry: Entry) throws {
        let file = try CheckpointBytes(Self.small(entry))
        for step in [Int.max, -1, Int.min] {
            let error = Self.refusal(
                file.rewritten { $0.replacingOccurrences(of: "\"step\":3", with: "\"step\":\(step)") })
            #expect(
                error as? CheckpointError == .invalidStep(step: step, allowed: "0 ..< Int.max"),
                "\(entry.name) step \(step)")
        }
        let fresh = try CheckpointBytes(Data(checkpointBytes(entry.make(learningRate: 1))))
        let error = Self.refusal(fresh.rewritten { $0.replacingOccurrences(of: "\"step\":0", with: "\"step\":5") })
        guard case .invalidStep(5, _)? = error as? CheckpointError else {
            Issue.record("\(String(describing: error))")
            return
        }
    }

    /// NaN and infinities at every element of every buffer, through the binary file (the JSON
    /// route cannot even encode them), each refused with its index.
    @Test(arguments: Catalog.all)
    func nonFiniteStateIsRefused(_ entry: Entry) throws {
        let file = try CheckpointBytes(Self.small(entry))
        for index in file.buffers.indices {
            for element in 0..<(file.buffers[index].bytes.count / 4) {
                for bad: Float in [.nan, .infinity, -.infinity] {
                    var broken = file
                    withUnsafeBytes(of: bad.bitPattern.littleEndian) {
                        broken.buffers[index].bytes.replaceSubrange((4 * element)..<(4 * element + 4), with: $0)
                    }
                    let error = Self.refusal(broken.rewritten()) as? CheckpointError
                    guard case .invalidBufferValue(_, element, _, _)? = error else {
                        Issue.record(
                            "\(entry.name): \(bad) at buffer \(index)[\(element)]: \(String(describing: error))")
                        continue
                    }
                }
            }
        }
    }

    /// Contents a run cannot produce, through both routes: S3's negative root or `|m| > r`,
    /// negative second moments.
    @Test func invariantBreakingStateIsRefused() throws {
        func setting(_ entry: Entry, buffer: Int, element: Int, to value: (Float) -> Float) throws -> Data {
            var file = try CheckpointBytes(Self.small(entry))
            let old = file.buffers[buffer].bytes[(4 * element)..<(4 * element + 4)].reversed().reduce(UInt32(0)) {
                $0 << 8 | UInt32($1)
            }
            withUnsafeBytes(of: value(Float(bitPattern: old)).bitPattern.littleEndian) {
                file.buffers[buffer].bytes.replaceSubrange((4 * element)..<(4 * element + 4), with: $0)
            }
            return file.rewritten()
        }
        let cases: [(Entry, Int, (Float) -> Float, String)] = [
            (Catalog.s3, 1, { _ in -1 }, "momentRoot"),  // r < 0
            (Catalog.s3, 0, { _ in 1e30 }, "firstMoment"),  // |m| > r
            (Catalog.adamW, 1, { _ in -1e-3 }, "secondMoment"),
            (Catalog.adamWAMSGrad, 2, { _ in -1 }, "maximumSecondMoment"),
            (Catalog.nAdam, 1, { _ in -2 }, "secondMoment"),
            (Catalog.adan, 2, { _ in -1 }, "secondMoment"),
        ]
        for (entry, buffer, value, name) in cases {
            for element in 0..<3 {  // every element of the small checkpoint's buffers
                let error = Self.refusal(try setting(entry, buffer: buffer, element: element, to: value))
                guard case .invalidBufferValue(name, element, _, _)? = error as? CheckpointError else {
                    Issue.record("\(entry.name) \(name)[\(element)]: \(String(describing: error))")
                    continue
                }
            }
        }
        // The same S3 state through JSON is refused by the same check.
        var optimizer = try S3(learningRate: 1e-2)
        var x = FlatTensor(zeros: 3)
        try optimizer.step(parameters: &x, gradients: [1, -2, 3])
        let json = String(decoding: try JSONEncoder().encode(optimizer.checkpoint), as: UTF8.self)
        let root = optimizer.state.momentRoot[0]
        let broken = json.replacingOccurrences(of: "\"momentRoot\":[\(root)", with: "\"momentRoot\":[-\(root)")
        #expect(broken != json)
        let decoded = try JSONDecoder().decode(Checkpoint<S3>.self, from: Data(broken.utf8))
        #expect(throws: CheckpointError.self) { try S3(restoring: decoded) }
        // A genuine run's state, whose m and r are rounded separately, is accepted.
        #expect(try S3(restoring: optimizer.checkpoint) == optimizer)
    }

    @Test func unknownOptimizersAreNamed() throws {
        let file = try CheckpointBytes(Self.small(Catalog.lion))
        let data = file.rewritten {
            $0.replacingOccurrences(of: "\"optimizer\":\"Lion\"", with: "\"optimizer\":\"Adagrad\"")
        }
        #expect(Self.refusal(data) as? CheckpointError == .unknownOptimizer("Adagrad"))
    }

    /// Every configuration decodes through its validating initialiser.
    @Test func invalidDecodedConfigurationsAreRefused() throws {
        func refuses<C: Decodable>(_: C.Type, _ json: String, _ name: String) {
            let error = #expect(throws: OptimizerError.self) { try JSONDecoder().decode(C.self, from: Data(json.utf8)) }
            guard case .invalidHyperparameter(name, _, _)? = error else {
                Issue.record("\(C.self): \(String(describing: error))")
                return
            }
        }
        refuses(AdamW.Configuration.self, #"{"beta1":0.9,"beta2":1.5,"epsilon":-1,"weightDecay":0}"#, "beta2")
        refuses(AdamW.Configuration.self, #"{"beta1":0.9,"beta2":0.9,"epsilon":-1,"weightDecay":0}"#, "epsilon")
        refuses(
            S3.Configuration.self, #"{"beta1":0.9,"beta2":0.9,"p":0.5,"epsilon":1e-8,"weightDecay":0,"nesterov":true}"#,
            "p")
        refuses(SGDM.Configuration.self, #"{"momentum":0,"dampening":0,"nesterov":true,"weightDecay":0}"#, "momentum")
        refuses(
            NAdam.Configuration.self,
            #"{"beta1":0.9,"beta2":0.999,"epsilon":1e-8,"weightDecay":-1,"momentumDecay":0.004,"decoupledWeightDecay":false}"#,
            "weightDecay")
        refuses(Lion.Configuration.self, #"{"beta1":1,"beta2":0.99,"weightDecay":0}"#, "beta1")
        refuses(
            Adan.Configuration.self,
            #"{"beta1":0.98,"beta2":0.92,"beta3":2,"epsilon":1e-8,"weightDecay":0.02,"decoupledWeightDecay":false}"#,
            "beta3")
    }

    /// Decoded groups are validated as built ones: overlaps (also behind an empty range),
    /// out-of-range ranges, negative scales; unsorted groups are fine.
    @Test func invalidDecodedGroupsAreRefused() throws {
        func decode(_ json: String) throws -> ParameterGroups {
            try JSONDecoder().decode(ParameterGroups.self, from: Data(json.utf8))
        }
        func group(_ name: String, _ ranges: String, scale: Float = 1) -> String {
            #"{"name":"\#(name)","ranges":\#(ranges),"learningRateScale":\#(scale),"frozen":false}"#
        }
        let invalid = [
            [group("a", "[[0,10]]"), group("b", "[[5,12]]")],
            [group("a", "[[0,10]]"), group("e", "[[3,3]]"), group("b", "[[9,12]]")],
            [group("a", "[[0,4],[2,6]]")],
            [group("a", "[[0,30]]")],
            [group("a", "[[0,4]]", scale: -1)],
        ]
        for groups in invalid {
            #expect(throws: OptimizerError.self) {
                try decode(#"{"parameterCount":20,"groups":[\#(groups.joined(separator: ","))]}"#)
            }
        }
        let unsorted = try decode(
            #"{"parameterCount":20,"groups":[\#(group("b", "[[10,20]]")),\#(group("a", "[[0,10]]"))]}"#)
        #expect(unsorted.groups.map(\.name) == ["b", "a"])
    }
}
