import GPZScan

/// A table built row by row; cells are HTML, headers plain text with an optional tooltip.
struct HTMLTable {
    /// One header cell: its label and an optional explanation shown on hover.
    struct Header {
        var label: String
        var help: String?
        var numeric = true
    }

    var headers: [Header]
    var className = "data"
    private var rows: [String] = []

    init(headers: [Header], className: String = "data") {
        self.headers = headers
        self.className = className
    }

    /// Adds a row of HTML cells (one per header) with optional row classes.
    mutating func add(_ cells: [String], classes: [String] = []) {
        let tds = zip(headers, cells).map { header, cell in
            header.numeric ? "<td class=\"num\">\(cell)</td>" : "<td>\(cell)</td>"
        }
        let attribute = classes.isEmpty ? "" : " class=\"\(HTMLDocument.escape(classes.joined(separator: " ")))\""
        rows.append("<tr\(attribute)>\(tds.joined())</tr>")
    }

    /// The table inside a horizontally scrollable wrapper.
    var html: String {
        let ths = headers.map { header -> String in
            let title = header.help.map { " title=\"\(HTMLDocument.escape($0))\"" } ?? ""
            let cls = header.numeric ? " class=\"num\"" : ""
            return "<th\(cls)\(title)>\(HTMLDocument.escape(header.label))</th>"
        }.joined()
        return """
        <div class="table-wrap"><table class="\(HTMLDocument.escape(className))">
        <thead><tr>\(ths)</tr></thead>
        <tbody>
        \(rows.joined(separator: "\n"))
        </tbody>
        </table></div>
        """
    }
}
