import Foundation

/// The classes a data set's training labels populate. Without a declared count the class count is the largest
/// label + 1, so a label file whose labels are all 200 would read as 201 classes of which one has images: a data
/// set needs images of at least two classes (a classifier of one class learns nothing, and GPZ's statistics compare
/// classes), and a class below the largest label without a single training image is most likely a mistake in the
/// labels, worth a warning.
enum ClassCheck {
    /// The most empty classes a warning lists by number.
    static let listed = 10

    /// Throws a `DataError` naming `file` when fewer than two classes have training images; returns the warning
    /// (naming `file` and the classes) when a class below the largest training label has none, else nil.
    static func check(train: ImageSet, classNames: [String], file: String) throws -> String? {
        let histogram = train.histogram(classes: classNames.count)
        let populated = histogram.indices.filter { histogram[$0] > 0 }
        guard populated.count >= 2 else {
            let only = populated.first.map {
                "only class \(describe($0, classNames)) of \(classNames.count) has training images (all \(train.count) of them)"
            } ?? "no class has training images"
            throw DataError(.emptyClass, file: file, "\(only); a data set needs images of at least two classes")
        }
        let top = populated.last!
        let empty = (0 ..< top).filter { histogram[$0] == 0 }
        guard !empty.isEmpty else { return nil }
        let names = empty.prefix(listed).map { describe($0, classNames) }
        let list = names.count == 1 ? names[0]
            : empty.count > listed ? names.joined(separator: ", ") + ", … (\(empty.count) in all)"
            : names.dropLast().joined(separator: ", ") + " and " + names.last!
        return "\(file): " + (empty.count == 1 ? "class \(list) has" : "classes \(list) have")
            + " no training images, though the labels run up to \(describe(top, classNames)): "
            + (empty.count == 1 ? "it still counts as one of the" : "they still count among the") + " \(classNames.count) classes"
    }

    /// "3", or "3 ('cat')" when the class has a name of its own.
    static func describe(_ label: Int, _ names: [String]) -> String {
        names.indices.contains(label) && names[label] != String(label) ? "\(label) ('\(DataError.bounded(names[label], limit: 40))')" : "\(label)"
    }
}

/// Warnings of the data layer (classes without training images): one line each on standard error, prefixed
/// `warning: `, each said once per process however often the data set is loaded (a scan loads it for every study).
public enum DataWarnings {
    private final class Said: @unchecked Sendable {
        let lock = NSLock()
        var lines: Set<String> = []
    }
    private static let said = Said()

    /// Writes `line` on standard error as `warning: line`, unless this process already has.
    public static func emit(_ line: String) {
        said.lock.lock()
        let new = said.lines.insert(line).inserted
        said.lock.unlock()
        guard new else { return }
        let oneLine = line.split(whereSeparator: \.isNewline).joined(separator: " ")
        FileHandle.standardError.write(Data("warning: \(DataError.bounded(oneLine, limit: 1024))\n".utf8))
    }
}
