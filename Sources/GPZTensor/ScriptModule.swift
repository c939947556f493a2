import CTorch

/// A TorchScript module loaded from an archive that PyTorch wrote (`torch.jit.save`), run by libtorch's
/// interpreter. Calling it is one differentiable operation: gradients flow to its input and its parameters like
/// through any other op. Loading never executes Python: TorchScript archives hold TorchScript code and tensors,
/// read by libtorch's own restricted reader.
///
/// A child (`child(_:)`) shares its parent's parameters. Not `Sendable`, like `Tensor`.
public final class ScriptModule {
    let handle: OpaquePointer
    /// The extra file read at load time (empty for a child, or when the archive has none).
    public let extraFile: String

    private init(handle: OpaquePointer, extraFile: String) {
        self.handle = handle
        self.extraFile = extraFile
    }

    deinit {
        ctorch_script_free(handle)
    }

    /// Loads `path` on the CPU in evaluation mode, reading the extra file `extraName` stored beside the code.
    public static func load(_ path: String, extraFile extraName: String? = nil) throws -> ScriptModule {
        let handle = try unwrapHandle("script_load", ctorch_script_load(path, extraName))
        var length: Int64 = 0
        guard let bytes = ctorch_script_extra(handle, &length) else {
            ctorch_script_free(handle)
            throw TensorError(op: "script_extra", shapes: [])
        }
        let text = String(decoding: UnsafeRawBufferPointer(start: bytes, count: Int(length)), as: UTF8.self)
        return ScriptModule(handle: handle, extraFile: text)
    }

    /// The sub-module stored under attribute `name`.
    public func child(_ name: String) throws -> ScriptModule {
        ScriptModule(handle: try unwrapHandle("script_child", ctorch_script_child(handle, name)), extraFile: "")
    }

    /// The tensor attribute or buffer `name`.
    public func tensor(_ name: String) throws -> Tensor {
        try wrap("script_tensor", ctorch_script_tensor(handle, name))
    }

    /// `forward(input)`.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        try wrap("script_forward", ctorch_script_forward(handle, input.handle)) { [input.shape] }
    }

    /// Training (`true`) or evaluation mode, for this module and its descendants.
    public func train(_ on: Bool) throws {
        try checkStatus("script_train", ctorch_script_train(handle, on ? 1 : 0))
    }

    /// Moves the parameters and buffers to `Device.current`.
    public func toCurrentDevice() throws {
        try checkStatus("script_to_device", ctorch_script_to_device(handle))
    }

    /// The parameters of this module and its descendants, with dotted names.
    public func namedParameters() throws -> [(name: String, tensor: Tensor)] { try tensors(kind: 0) }

    /// The buffers of this module and its descendants, with dotted names.
    public func namedBuffers() throws -> [(name: String, tensor: Tensor)] { try tensors(kind: 1) }

    private func tensors(kind: Int32) throws -> [(name: String, tensor: Tensor)] {
        let count = ctorch_script_tensor_count(handle, kind)
        try checkStatus("script_tensor_count", count < 0 ? -1 : 0)
        return try (0..<count).map { index in
            var name: UnsafePointer<CChar>?
            let tensor = try wrap("script_tensor_at", ctorch_script_tensor_at(handle, kind, index, &name))
            return (name.map { String(cString: $0) } ?? "\(index)", tensor)
        }
    }
}
