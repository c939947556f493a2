import Foundation
import GPZTensor

extension Module {
    /// Writes this module's state dict (parameters, then buffers, under their dotted names) to a safetensors file
    /// that Python's `safetensors.torch.load_file` reads back as a PyTorch state dict. The write is atomic.
    public func saveWeights(to url: URL, metadata: [String: String] = [:]) throws {
        try Safetensors.write(stateDict(), metadata: metadata, to: url)
    }

    /// Loads a safetensors file into this module's existing tensors (see `loadStateDict(_:strict:)`) and returns the
    /// file's metadata.
    @discardableResult
    public func loadWeights(from url: URL, strict: Bool = true) throws -> [String: String] {
        let file = try Safetensors.read(from: url)
        try loadStateDict(Dictionary(file.tensors, uniquingKeysWith: { first, _ in first }), strict: strict)
        return file.metadata
    }
}
