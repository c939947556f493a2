import GPZScan

/// The pieces every report page is built from: escaping, the page skeleton with its inline style sheet, and small
/// element helpers. Pages are self-contained: no scripts, no external style sheets, fonts or images.
enum HTMLDocument {
    /// `text` with `& < > " '` replaced by entities, safe in element content and in quoted attributes (also
    /// inside inline SVG).
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }

    /// A complete HTML page: `title` (plain text, escaped here) and `body` (HTML, used as is).
    static func page(title: String, body: String) -> String {
        """
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>\(escape(title))</title>
        <style>
        \(ReportStyle.css)
        </style>
        </head>
        <body>
        <main>
        \(body)
        </main>
        </body>
        </html>

        """
    }

    /// `<section>` with an `<h2>` heading (plain text) and `content` (HTML).
    static func section(_ heading: String, id: String, _ content: String) -> String {
        "<section id=\"\(escape(id))\">\n<h2>\(escape(heading))</h2>\n\(content)\n</section>"
    }

    /// A paragraph of plain text with an optional class.
    static func paragraph(_ text: String, class className: String? = nil) -> String {
        let attribute = className.map { " class=\"\(escape($0))\"" } ?? ""
        return "<p\(attribute)>\(escape(text))</p>"
    }

    /// A chart figure: the SVG and a caption (plain text).
    static func figure(_ svg: String, caption: String) -> String {
        "<figure class=\"chart\">\n\(svg)\n<figcaption>\(escape(caption))</figcaption>\n</figure>"
    }

    /// A definition list of (term, value) pairs; both are HTML.
    static func definitions(_ pairs: [(String, String)]) -> String {
        let items = pairs.map { "<dt>\($0.0)</dt><dd>\($0.1)</dd>" }.joined(separator: "\n")
        return "<dl class=\"facts\">\n\(items)\n</dl>"
    }
}
