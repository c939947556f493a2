import GPZTensor

/// A zero-filled leaf tensor that records gradients: the starting point of every parameter before its initialiser
/// overwrites it in place.
func makeParameter(_ shape: [Int], dtype: DType) throws -> Tensor {
    try Tensor.zeros(shape, dtype: dtype).requiringGrad()
}

/// Named tensors with the absent (nil) ones left out, for `ownParameters` and `ownBuffers`.
func namedTensors(_ entries: (String, Tensor?)...) -> [(name: String, tensor: Tensor)] {
    entries.compactMap { name, tensor in tensor.map { (name, $0) } }
}

/// Throws unless `input` has one of the ranks `allowed`, naming the layer and the layouts it accepts.
func checkRank(_ input: Tensor, _ allowed: [Int], layer: String, layouts: String) throws {
    guard allowed.contains(input.rank) else {
        throw TensorError(op: layer, message: "input \(input.shape) must be \(layouts)")
    }
}

/// Throws unless dimension 1 of `input` has `expected` entries.
func checkChannels(_ input: Tensor, _ expected: Int, layer: String) throws {
    guard input.rank >= 2, input.size(1) == expected else {
        let found = input.rank >= 2 ? "\(input.size(1))" : "no"
        throw TensorError(op: layer, message: "input \(input.shape) has \(found) channels, expected \(expected)")
    }
}

/// PyTorch's default initialisation of linear and convolution layers (`reset_parameters`):
/// weight ~ kaiming_uniform(a = √5), i.e. U(−1/√fan_in, 1/√fan_in), and bias ~ U(−1/√fan_in, 1/√fan_in), with
/// fan_in computed from the weight's shape (`weight.size(1) · receptive field`).
func resetAffineParameters(weight: Tensor, bias: Tensor?) throws {
    try Init.kaimingUniform(weight, a: 5.0.squareRoot())
    guard let bias else { return }
    let fanIn = try Init.fans(of: weight).fanIn
    let bound = fanIn > 0 ? 1 / Double(fanIn).squareRoot() : 0
    try Init.uniform(bias, low: -bound, high: bound)
}
