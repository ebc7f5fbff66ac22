/// An option as a type, so that each kernel variant is compiled without the branch
/// (S3's Nesterov estimates, AdamW's AMSGrad maximum).
public protocol StaticFlag { static var isOn: Bool { get } }
public enum On: StaticFlag { @inlinable public static var isOn: Bool { true } }
public enum Off: StaticFlag { @inlinable public static var isOn: Bool { false } }
