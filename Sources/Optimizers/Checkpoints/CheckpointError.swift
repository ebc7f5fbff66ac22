/// Why a checkpoint could not be read or restored. The optimizer being restored is never
/// touched, and nothing is allocated beyond what the file's actual size accounts for.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The data ends before the structure it announces (a truncated file).
    case truncated(expectedBytes: Int, foundBytes: Int)
    /// The data continues after the checksum that should end it.
    case trailingBytes(count: Int)
    /// The data does not start with the checkpoint magic number: not a checkpoint.
    case notACheckpoint
    /// A format version this library cannot read.
    case unsupportedVersion(found: UInt32, supported: UInt32)
    /// The stored checksum does not match the contents (a corrupted file).
    case checksumMismatch
    /// The checkpoint belongs to another optimizer type.
    case wrongOptimizer(expected: String, found: String)
    /// The checkpoint names an optimizer this library does not have (type-erased restore).
    case unknownOptimizer(String)
    /// The step count cannot continue a run.
    case invalidStep(step: Int, allowed: String)
    /// A state buffer has the wrong number of elements for the checkpoint's `stateCount`.
    case bufferCountMismatch(buffer: String, expected: Int, found: Int)
    /// A state buffer holds a value no run can produce (NaN, a negative second moment, S3's
    /// `|m| > r`).
    case invalidBufferValue(buffer: String, index: Int, value: Float, allowed: String)
    /// The metadata is well-formed bytes but not a valid checkpoint.
    case invalidContents(String)

    public var description: String {
        switch self {
        case let .truncated(expected, found): "truncated checkpoint: needs at least \(expected) bytes, has \(found)"
        case let .trailingBytes(count): "\(count) unexpected bytes after the checkpoint's checksum"
        case .notACheckpoint: "not an optimizer checkpoint (bad magic number)"
        case let .unsupportedVersion(found, supported):
            "checkpoint format version \(found); this library reads versions 1 to \(supported)"
        case .checksumMismatch: "checkpoint checksum mismatch: the file is corrupted"
        case let .wrongOptimizer(expected, found): "checkpoint is for \(found), not \(expected)"
        case let .unknownOptimizer(name): "checkpoint is for \"\(name)\", which this library does not provide"
        case let .invalidStep(step, allowed): "invalid step count \(step) in checkpoint: allowed \(allowed)"
        case let .bufferCountMismatch(buffer, expected, found):
            "checkpoint buffer \(buffer) has \(found) elements, expected \(expected)"
        case let .invalidBufferValue(buffer, index, value, allowed):
            "checkpoint buffer \(buffer)[\(index)] = \(value): allowed \(allowed)"
        case let .invalidContents(reason): "invalid checkpoint contents: \(reason)"
        }
    }
}
