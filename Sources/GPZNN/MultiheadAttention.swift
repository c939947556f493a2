import GPZTensor

/// Multi-head scaled dot-product attention, as `torch.nn.MultiheadAttention` (query, key and value all of
/// dimension `embedDim`).
///
/// With E = embedDim, h heads of size D = E / h and the packed projection in_proj_weight = [W_q; W_k; W_v]
/// ([3E, E]) and in_proj_bias = [b_q; b_k; b_v] ([3E]):
///
///     Q = query W_qᵀ + b_q,  K = key W_kᵀ + b_k,  V = value W_vᵀ + b_v, each split into h heads of size D
///     A_i = softmax(Q_i K_iᵀ / √D + mask)          (the attention weights of head i, [L, S])
///     output = concat_i(dropout(A_i) V_i) W_oᵀ + b_o   (out_proj, a child `Linear`)
///
/// Shapes: query [L, N, E], key and value [S, N, E] ([N, L, E] and [N, S, E] with `batchFirst`), or unbatched
/// [L, E] and [S, E]. Initialised as PyTorch: in_proj_weight xavier-uniform, in_proj_bias and out_proj.bias zero,
/// out_proj.weight as any `Linear`.
public final class MultiheadAttention: Module {
    public let embedDim: Int
    public let numHeads: Int
    public let dropout: Double
    public let batchFirst: Bool
    /// [3E, E]: the query, key and value projections stacked.
    public let inProjWeight: Tensor
    /// [3E], or nil without bias.
    public let inProjBias: Tensor?
    public let outProj: Linear
    public var isTraining = true

    public init(embedDim: Int, numHeads: Int, dropout: Double = 0, bias: Bool = true, batchFirst: Bool = false,
                dtype: DType = .float32) throws {
        try TensorError.check(embedDim > 0 && numHeads > 0 && embedDim % numHeads == 0, "MultiheadAttention",
                              "embed dim \(embedDim) must be a positive multiple of the number of heads \(numHeads)")
        try TensorError.check(dropout >= 0 && dropout <= 1, "MultiheadAttention",
                              "dropout probability \(dropout) is outside [0, 1]")
        self.embedDim = embedDim
        self.numHeads = numHeads
        self.dropout = dropout
        self.batchFirst = batchFirst
        inProjWeight = try Init.xavierUniform(makeParameter([3 * embedDim, embedDim], dtype: dtype))
        inProjBias = bias ? try makeParameter([3 * embedDim], dtype: dtype) : nil
        outProj = try Linear(embedDim, embedDim, bias: bias, dtype: dtype)
        if let outBias = outProj.bias { try Init.zeros(outBias) }
    }

    public var headDim: Int { embedDim / numHeads }

    public var ownParameters: [(name: String, tensor: Tensor)] {
        namedTensors(("in_proj_weight", inProjWeight), ("in_proj_bias", inProjBias))
    }

    public var children: [(name: String, module: any Module)] { [("out_proj", outProj)] }

    /// Self-attention: `forward(query: input, key: input, value: input)`'s output.
    public func forward(_ input: Tensor) throws -> Tensor {
        try forward(query: input, key: input, value: input, needWeights: false).output
    }

    /// Attends from `query` to `key`/`value`.
    ///
    /// - Parameters:
    ///   - keyPaddingMask: [N, S] (or [S] unbatched); bool `true` marks keys to ignore, a float mask is added.
    ///   - needWeights: whether to return the attention weights (after dropout, as PyTorch does).
    ///   - attentionMask: [L, S] or [N·h, L, S]; bool `true` marks pairs not allowed to attend, a float mask is
    ///     added to the scores.
    ///   - averageWeights: average the returned weights over the heads ([N, L, S]) instead of [N, h, L, S].
    /// - Returns: the output (shaped like `query`) and, with `needWeights`, the attention weights (without the
    ///   batch dimension for unbatched inputs).
    public func forward(query: Tensor, key: Tensor, value: Tensor, keyPaddingMask: Tensor? = nil,
                        needWeights: Bool = true, attentionMask: Tensor? = nil,
                        averageWeights: Bool = true) throws -> (output: Tensor, weights: Tensor?) {
        try checkInputs(query: query, key: key, value: value)
        let unbatched = query.rank == 2
        let (q, k, v) = try (batchMajor(query, unbatched), batchMajor(key, unbatched), batchMajor(value, unbatched))
        let batch = q.size(0), targetLength = q.size(1), sourceLength = k.size(1)

        let queries = try splitHeads(project(q, part: 0)) * (1 / Double(headDim).squareRoot())
        let keys = try splitHeads(project(k, part: 1))
        let values = try splitHeads(project(v, part: 2))

        var scores = try queries.matmul(keys.transposed(-2, -1))
        if let attentionMask {
            let mask = try attentionMask.rank == 3
                ? attentionMask.reshaped([batch, numHeads, targetLength, sourceLength]) : attentionMask
            scores = try applyMask(mask, to: scores)
        }
        if let keyPaddingMask {
            scores = try applyMask(keyPaddingMask.reshaped([batch, 1, 1, sourceLength]), to: scores)
        }
        let weights = try scores.softmax(dim: -1).dropout(p: dropout, training: isTraining)
        let merged = try weights.matmul(values).permuted([0, 2, 1, 3]).reshaped([batch, targetLength, embedDim])
        let output = try restoreLayout(outProj(merged), unbatched)

        guard needWeights else { return (output, nil) }
        let returned = averageWeights ? try weights.mean(dims: [1]) : weights
        return (output, unbatched ? try returned.squeezed(0) : returned)
    }

    private func checkInputs(query: Tensor, key: Tensor, value: Tensor) throws {
        let layer = "MultiheadAttention"
        let layout = batchFirst ? "(N, L, E)" : "(L, N, E)"
        try TensorError.check(query.rank == 2 || query.rank == 3, layer,
                              "query \(query.shape) must be 3-D \(layout) or unbatched 2-D (L, E)")
        try TensorError.check(key.rank == query.rank && value.rank == query.rank, layer,
                              "query \(query.shape), key \(key.shape) and value \(value.shape) must have the same rank")
        for (name, tensor) in [("query", query), ("key", key), ("value", value)] {
            try TensorError.check(tensor.size(-1) == embedDim, layer,
                                  "\(name) \(tensor.shape) has \(tensor.size(-1)) features, "
                                      + "expected embed dim \(embedDim)")
        }
        try TensorError.check(key.shape.dropLast() == value.shape.dropLast(), layer,
                              "key \(key.shape) and value \(value.shape) must agree in all but the last dimension")
        if query.rank == 3 {
            let batchDim = batchFirst ? 0 : 1
            try TensorError.check(query.size(batchDim) == key.size(batchDim), layer,
                                  "query \(query.shape) and key \(key.shape) have different batch sizes")
        }
    }

    /// [N, L, E] whatever the input layout.
    private func batchMajor(_ x: Tensor, _ unbatched: Bool) throws -> Tensor {
        if unbatched { return try x.unsqueezed(0) }
        return batchFirst ? x : try x.transposed(0, 1)
    }

    /// The inverse of `batchMajor`.
    private func restoreLayout(_ x: Tensor, _ unbatched: Bool) throws -> Tensor {
        if unbatched { return try x.squeezed(0) }
        return batchFirst ? x : try x.transposed(0, 1)
    }

    /// x W_partᵀ + b_part with part 0, 1, 2 for query, key, value.
    private func project(_ x: Tensor, part: Int) throws -> Tensor {
        let rows = (part * embedDim, (part + 1) * embedDim)
        let weight = try inProjWeight.slice(dim: 0, start: rows.0, end: rows.1)
        let bias = try inProjBias?.slice(dim: 0, start: rows.0, end: rows.1)
        return try x.linear(weight: weight, bias: bias)
    }

    /// [N, T, E] → [N, h, T, D]
    private func splitHeads(_ x: Tensor) throws -> Tensor {
        try x.reshaped([x.size(0), x.size(1), numHeads, headDim]).permuted([0, 2, 1, 3])
    }

    /// Bool masks set the masked scores to −∞; other masks are added.
    private func applyMask(_ mask: Tensor, to scores: Tensor) throws -> Tensor {
        guard mask.dtype == .bool else { return try scores + mask }
        let minusInfinity = try Tensor(scalar: -.infinity, dtype: scores.dtype)
        return try Tensor.where(mask, minusInfinity, scores)
    }
}
