import GPZConfig
import CTorch

/// Where tensors live and kernels run. A configuration or command line names it as `cpu`, `cuda`, `cuda:N` or
/// `auto` (CUDA device 0 when one is available, else the CPU); `resolved()` turns `auto` into a concrete device and
/// checks that a CUDA device exists.
///
/// Every factory (`Tensor(_:shape:)`, `zeros`, `randn`, …) creates on the process-wide default device set with
/// `Device.use(_:)`, so modules built and data loaded after it live there; `Tensor.to(_:)` moves a tensor and
/// reading values (`scalars`, `item`) copies to the CPU first.
public enum Device: Hashable, Sendable, CustomStringConvertible, LosslessStringConvertible, Codable {
    case cpu
    case cuda(Int)
    case auto

    public init?(_ description: String) {
        switch description {
        case "cpu": self = .cpu
        case "auto": self = .auto
        case "cuda": self = .cuda(0)
        default:
            guard description.hasPrefix("cuda:"), let index = Int(description.dropFirst(5)), index >= 0,
                  String(index) == description.dropFirst(5) else { return nil }
            self = .cuda(index)
        }
    }

    public var description: String {
        switch self {
        case .cpu: "cpu"
        case .auto: "auto"
        case .cuda(let index): "cuda:\(index)"
        }
    }

    /// The accepted spellings, for help texts and error messages.
    public static let spellings = "cpu, cuda, cuda:N or auto"

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let device = Device(text) else {
            throw DecodingError.dataCorruptedError(in: container,
                                                   debugDescription: "expected \(Device.spellings), got \"\(text)\"")
        }
        self = device
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// CUDA devices libtorch sees: 0 without a GPU or in a CPU-only build.
    public static var cudaDeviceCount: Int { max(0, Int(ctorch_cuda_device_count())) }

    /// `auto` resolved to `cuda:0` or `cpu`; a CUDA device that does not exist is an error naming what exists.
    public func resolved() throws -> Device {
        switch self {
        case .cpu: return .cpu
        case .auto: return Device.cudaDeviceCount > 0 ? .cuda(0) : .cpu
        case .cuda(let index):
            let count = Device.cudaDeviceCount
            guard index < count else {
                throw DeviceError(count == 0
                    ? "\(self) asked for, but CUDA is not available (no CUDA device, or a CPU-only build of GPZ; build with GPZ_CUDA=1 where NVIDIA's CUDA libraries are installed)"
                    : "\(self) asked for, but this machine has \(count) CUDA device(s), cuda:0…cuda:\(count - 1)")
            }
            return self
        }
    }

    /// Makes the resolved device the default of every tensor factory, process-wide; returns it.
    @discardableResult
    public static func use(_ device: Device) throws -> Device {
        let concrete = try device.resolved()
        let (type, index) = concrete.code
        try checkStatus("set_default_device", ctorch_set_default_device(type, index))
        current = concrete
        return concrete
    }

    /// The device factories create on.
    public nonisolated(unsafe) private(set) static var current: Device = .cpu

    var code: (Int32, Int32) {
        switch self {
        case .cuda(let index): (Int32(CT_CUDA), Int32(index))
        case .cpu, .auto: (Int32(CT_CPU), 0)
        }
    }
}

/// A device that was asked for and does not exist, e.g. `cuda:0 asked for, but CUDA is not available (…)`.
public struct DeviceError: MessageError, UserError {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }
}

extension Tensor {
    /// The device this tensor lives on.
    public var device: Device {
        get throws {
            var index: Int32 = 0
            let type = ctorch_tensor_device(handle, &index)
            try checkStatus("device", type)
            return type == Int32(CT_CUDA) ? .cuda(Int(index)) : .cpu
        }
    }

    /// This tensor on `device` (the same tensor when it is already there); differentiable.
    public func to(_ device: Device) throws -> Tensor {
        let (type, index) = try device.resolved().code
        return try wrap("to_device", ctorch_to_device(handle, type, index)) { [shape] }
    }
}

extension Device {
    /// `Device.use(_:)` for a configured device (a scan file's `device` or `--device`): a device that does not
    /// exist is a `ConfigError` on the field `device`, the same line from either source.
    @discardableResult
    public static func useConfigured(_ device: Device) throws -> Device {
        do {
            return try use(device)
        } catch let error as DeviceError {
            throw ConfigError(field: "device", error.message)
        }
    }
}
