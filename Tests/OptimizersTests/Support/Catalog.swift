import Optimizers

/// Every optimizer of the module, built from named hyperparameters, so that each generic test
/// runs over all of them. A factory fails if it is handed a hyperparameter it does not use.
struct Entry: Sendable, CustomStringConvertible {
    let name: String
    /// The optimizer's defaults, as docs/algorithms.md states them (checked against the types' defaults).
    let defaults: [String: Float]
    let defaultFlags: [String: Bool]
    let build: @Sendable (_ learningRate: Float, _ values: inout Hyperparameters) throws -> any StatefulOptimizer

    var description: String { name }

    /// Builds the optimizer from `values` over the defaults; every given name must be used.
    func make(learningRate: Float, _ values: [String: Float] = [:], flags: [String: Bool] = [:]) throws
        -> any StatefulOptimizer
    {
        var hp = Hyperparameters(floats: defaults.merging(values) { $1 }, flags: defaultFlags.merging(flags) { $1 })
        let optimizer = try build(learningRate, &hp)
        precondition(hp.unused.isEmpty, "\(name) factory ignored \(hp.unused)")
        return optimizer
    }
}

/// Named values handed to a factory, recording which ones it read.
struct Hyperparameters {
    var floats: [String: Float]
    var flags: [String: Bool]
    private var read: Set<String> = []

    init(floats: [String: Float], flags: [String: Bool]) {
        (self.floats, self.flags) = (floats, flags)
    }

    mutating func callAsFunction(_ name: String) -> Float {
        read.insert(name)
        return floats[name]!
    }

    mutating func flag(_ name: String) -> Bool {
        read.insert(name)
        return flags[name]!
    }

    var unused: Set<String> { Set(floats.keys).union(flags.keys).subtracting(read) }
}

enum Catalog {
    static let sgdm = Entry(
        name: "SGDM", defaults: ["momentum": 0.9, "dampening": 0, "weightDecay": 0], defaultFlags: ["nesterov": false]
    ) { lr, hp in
        try SGDM(
            learningRate: lr, momentum: hp("momentum"), dampening: hp("dampening"), nesterov: hp.flag("nesterov"),
            weightDecay: hp("weightDecay"))
    }

    static let adamW = Entry(
        name: "AdamW", defaults: ["beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weightDecay": 0.01],
        defaultFlags: ["amsgrad": false]
    ) { lr, hp in
        try AdamW(
            learningRate: lr, beta1: hp("beta1"), beta2: hp("beta2"), epsilon: hp("epsilon"),
            weightDecay: hp("weightDecay"), amsgrad: hp.flag("amsgrad"))
    }

    static let nAdam = Entry(
        name: "NAdam",
        defaults: ["beta1": 0.9, "beta2": 0.999, "epsilon": 1e-8, "weightDecay": 0, "momentumDecay": 4e-3],
        defaultFlags: ["decoupledWeightDecay": false]
    ) { lr, hp in
        try NAdam(
            learningRate: lr, beta1: hp("beta1"), beta2: hp("beta2"), epsilon: hp("epsilon"),
            weightDecay: hp("weightDecay"), momentumDecay: hp("momentumDecay"),
            decoupledWeightDecay: hp.flag("decoupledWeightDecay"))
    }

    static let lion = Entry(name: "Lion", defaults: ["beta1": 0.9, "beta2": 0.99, "weightDecay": 0], defaultFlags: [:])
    {
        lr, hp in
        try Lion(learningRate: lr, beta1: hp("beta1"), beta2: hp("beta2"), weightDecay: hp("weightDecay"))
    }

    static let adan = Entry(
        name: "Adan", defaults: ["beta1": 0.98, "beta2": 0.92, "beta3": 0.99, "epsilon": 1e-8, "weightDecay": 0.02],
        defaultFlags: ["decoupledWeightDecay": false]
    ) { lr, hp in
        try Adan(
            learningRate: lr, beta1: hp("beta1"), beta2: hp("beta2"), beta3: hp("beta3"), epsilon: hp("epsilon"),
            weightDecay: hp("weightDecay"), decoupledWeightDecay: hp.flag("decoupledWeightDecay"))
    }

    /// S3 takes `beta1`/`beta2`; equal values go through the paper's one-`beta` initialiser.
    static let s3 = Entry(
        name: "S3", defaults: ["beta1": 0.95, "beta2": 0.95, "p": 3, "epsilon": 1e-8, "weightDecay": 0],
        defaultFlags: ["nesterov": true]
    ) { lr, hp in
        let (beta1, beta2) = (hp("beta1"), hp("beta2"))
        if beta1 == beta2 {
            return try S3(
                learningRate: lr, beta: beta1, p: hp("p"), epsilon: hp("epsilon"), weightDecay: hp("weightDecay"),
                nesterov: hp.flag("nesterov"))
        }
        return try S3(
            learningRate: lr, beta1: beta1, beta2: beta2, p: hp("p"), epsilon: hp("epsilon"),
            weightDecay: hp("weightDecay"), nesterov: hp.flag("nesterov"))
    }

    /// S3 with its moments stored as bfloat16 (no reference implementation: not in the golden tests).
    static let s3BFloat16 = Entry(name: "S3 bfloat16", defaults: s3.defaults, defaultFlags: s3.defaultFlags) { lr, hp in
        try S3(
            learningRate: lr, beta1: hp("beta1"), beta2: hp("beta2"), p: hp("p"), epsilon: hp("epsilon"),
            weightDecay: hp("weightDecay"), nesterov: hp.flag("nesterov"), momentPrecision: .bfloat16)
    }

    /// AdamW with its moments stored as bfloat16 (no reference implementation either).
    static let adamWBFloat16 = Entry(name: "AdamW bfloat16", defaults: adamW.defaults, defaultFlags: adamW.defaultFlags)
    {
        lr, hp in
        try AdamW(
            learningRate: lr, beta1: hp("beta1"), beta2: hp("beta2"), epsilon: hp("epsilon"),
            weightDecay: hp("weightDecay"), amsgrad: hp.flag("amsgrad"), momentPrecision: .bfloat16)
    }

    /// AdamW with AMSGrad: its golden cases are in AdamW's fixtures; here it joins every generic test.
    static let adamWAMSGrad = Entry(name: "AdamW amsgrad", defaults: adamW.defaults, defaultFlags: [:]) { lr, hp in
        try AdamW(
            learningRate: lr, beta1: hp("beta1"), beta2: hp("beta2"), epsilon: hp("epsilon"),
            weightDecay: hp("weightDecay"), amsgrad: true)
    }

    /// The six optimizers, each with a reference implementation and golden trajectories.
    static let withReferences = [sgdm, adamW, nAdam, lion, adan, s3]
    /// Everything the generic tests run over.
    static let all = withReferences + [s3BFloat16, adamWBFloat16, adamWAMSGrad]
}
