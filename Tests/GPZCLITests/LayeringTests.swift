import Foundation
import XCTest

/// The layers of README.md's layout table, checked against the sources: every `import` of a GPZ target is a
/// dependency Package.swift declares, and every declared dependency is a lower layer.
final class LayeringTests: XCTestCase {
    /// Layer of each target; a target may depend only on targets of lower layers.
    static let layers: [String: Int] = [
        "GPZConfig": 0, "CTorch": 0, "CGzip": 0, "CPNG": 0, "CTurboJPEG": 0,
        "GPZTensor": 1, "GPZNN": 2, "GPZOptim": 2, "GPZData": 3, "GPZModels": 4, "GPZTraining": 5,
        "GPZAnalysis": 6, "GPZAttacks": 6, "GPZScan": 7, "GPZServe": 7, "GPZReport": 8, "gpz": 9,
        "GPZTestSupport": 4,
    ]

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Each source target's declared dependencies among the package's own targets, from Package.swift.
    static func declaredDependencies() throws -> [String: Set<String>] {
        let manifest = try String(contentsOf: root.appendingPathComponent("Package.swift"), encoding: .utf8)
        let known = Set(layers.keys)
        var result: [String: Set<String>] = [:]
        let pattern = try NSRegularExpression(pattern: #"\.(?:target|executableTarget|systemLibrary)\(\s*name:\s*"(\w+)""#)
        let text = manifest as NSString
        let matches = pattern.matches(in: manifest, range: NSRange(location: 0, length: text.length))
        for (position, match) in matches.enumerated() {
            let name = text.substring(with: match.range(at: 1))
            let end = position + 1 < matches.count ? matches[position + 1].range.location : text.length
            let body = text.substring(with: NSRange(location: match.range.location, length: end - match.range.location))
            let dependencies = body.components(separatedBy: "dependencies:").dropFirst().first?
                .components(separatedBy: "]").first ?? ""
            let quoted = try NSRegularExpression(pattern: #""(\w+)""#)
            let names = quoted.matches(in: dependencies, range: NSRange(location: 0, length: (dependencies as NSString).length))
                .map { (dependencies as NSString).substring(with: $0.range(at: 1)) }
            result[name] = Set(names.filter(known.contains))
        }
        return result
    }

    func testEveryDeclaredDependencyIsALowerLayer() throws {
        let declared = try Self.declaredDependencies()
        XCTAssertEqual(Set(declared.keys), Set(Self.layers.keys), "every target has a layer in this test and README.md")
        for (target, dependencies) in declared {
            for dependency in dependencies {
                XCTAssertLessThan(Self.layers[dependency]!, Self.layers[target]!, "\(target) depends on \(dependency)")
            }
        }
    }

    func testEveryImportIsADeclaredDependency() throws {
        let declared = try Self.declaredDependencies()
        let folders = ["gpz": "GPZCLI"]
        for target in declared.keys where !target.hasPrefix("C") {
            let folder = Self.root.appendingPathComponent("Sources/\(folders[target] ?? target)")
            let files = FileManager.default.enumerator(atPath: folder.path)?.compactMap { $0 as? String }
                .filter { $0.hasSuffix(".swift") } ?? []
            XCTAssertFalse(files.isEmpty, target)
            for file in files {
                let text = try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
                for line in text.split(separator: "\n") where line.hasPrefix("import ") || line.hasPrefix("@testable import ") {
                    let module = String(line.split(separator: " ").last!)
                    guard Self.layers[module] != nil, module != target else { continue }
                    XCTAssertTrue(declared[target]!.contains(module), "\(target)/\(file) imports \(module), not a declared dependency")
                }
            }
        }
    }

    /// README.md's layout table names every target of the package, and only those.
    func testTheReadmeLayoutTableNamesEveryTarget() throws {
        let readme = try String(contentsOf: Self.root.appendingPathComponent("README.md"), encoding: .utf8)
        let section = readme.components(separatedBy: "## Layout").dropFirst().first?.components(separatedBy: "\n## ").first ?? ""
        let named = Set(section.split(separator: "\n").filter { $0.hasPrefix("| `") }.flatMap { row in
            row.split(separator: "|").first.map { cell in
                cell.split(separator: "`").enumerated().filter { $0.offset % 2 == 1 }.map { String($0.element) }
            } ?? []
        })
        XCTAssertEqual(named, Set(Self.layers.keys))
    }
}
