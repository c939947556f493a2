import Foundation
import GPZData
import GPZConfig
import GPZScan
import GPZTensor
import GPZTraining

/// The parsers under test, one per `GPZ_FUZZ_TARGET` value. Each gets the fuzzer's bytes as a file (or text)
/// exactly as a user would hand it over; a thrown error is a correct answer, only a crash, a hang or a leak is
/// a finding.
enum FuzzTarget: String, CaseIterable {
    case idx, csv, cifar, image, npy, npz, safetensors, checkpoint, config

    /// Where the input is written: a private folder per process, in memory when /dev/shm exists.
    static let folder: String = {
        let base = FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory()
        let path = "\(base)/gpz-fuzz-\(getpid())"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    static let selected: FuzzTarget = {
        let name = ProcessInfo.processInfo.environment["GPZ_FUZZ_TARGET"] ?? ""
        guard let target = FuzzTarget(rawValue: name) else {
            let names = allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("set GPZ_FUZZ_TARGET to one of \(names)\n".utf8))
            exit(2)
        }
        return target
    }()

    func run(_ bytes: [UInt8]) {
        let file = "\(Self.folder)/input"
        do {
            switch self {
            case .idx:
                write(bytes, file)
                _ = try IDXReader.readImages(path: file)
                _ = try IDXReader.readLabels(path: file)
            case .csv:
                write(bytes, file)
                _ = try CSVReader.read(path: file)
            case .cifar:
                write(bytes, file)
                _ = try CIFARReader.readBatch(path: file, variant: .cifar10)
                _ = try CIFARReader.readBatch(path: file, variant: .cifar100Fine)
            case .image:
                _ = try ImageCodec.decode(bytes, name: "input", channels: 3)
            case .npy:
                write(bytes, file)
                let array = try NumPy.readNPY(path: file)
                _ = try? NumPy.images(array, file: "input")
                _ = try NumPy.labels(array, file: "input")
            case .npz:
                write(bytes, file)
                _ = try NumPy.load(path: file, spec: "npz:input")
            case .safetensors:
                write(bytes, file)
                _ = try Safetensors.read(from: URL(fileURLWithPath: file))
            case .checkpoint:
                write(bytes, "\(Self.folder)/checkpoint.json")
                if let info = try CheckpointStore.readInfo(URL(fileURLWithPath: Self.folder)) {
                    try info.model.validate()
                }
            case .config:
                let text = String(decoding: bytes, as: UTF8.self)
                let json = bytes.first == UInt8(ascii: "{")
                try ConfigText.check(text, json: json, source: "input")
                _ = try ScanPlan.parse(text, json: json, source: "input")
            }
        } catch {
            return
        }
    }

    private func write(_ bytes: [UInt8], _ path: String) {
        _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    }
}

/// libFuzzer's entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    FuzzTarget.selected.run(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}

@_silgen_name("LLVMFuzzerRunDriver")
func runFuzzerDriver(_ argc: UnsafeMutablePointer<CInt>,
                     _ argv: UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>,
                     _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt

/// The executable's entry point (SwiftPM links an executable's `main` to `<module>_main`): hands the command
/// line to libFuzzer's driver.
@_cdecl("GPZFuzz_main")
public func fuzzMain(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    var count = argc
    var arguments = argv
    return runFuzzerDriver(&count, &arguments, fuzzOneInput)
}
