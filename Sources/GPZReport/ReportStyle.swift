import GPZScan

/// The reports' colours and style sheet. Colours are the Okabe–Ito palette, which stays distinguishable with the
/// common colour-vision deficiencies; series also differ by marker shape and dash.
enum ReportStyle {
    static let blue = "#0072B2"
    static let vermillion = "#D55E00"
    static let green = "#009E73"
    static let orange = "#E69F00"
    static let sky = "#56B4E9"
    static let purple = "#CC79A7"
    static let ink = "#222222"
    static let grey = "#777777"

    /// Colours for series that are told apart by colour alone (one line per split or per study), in order.
    static let cycle = [blue, vermillion, green, orange, purple, sky, ink]

    /// The a-priori zone's and the post-hoc zone's shading.
    static let aprioriZone = orange
    static let posthocZone = sky

    static let css = """
    :root { color-scheme: light; }
    body { margin: 0; background: #fafafa; color: #222; font: 15px/1.5 -apple-system, "Segoe UI", "DejaVu Sans", \
    "Liberation Sans", Helvetica, Arial, sans-serif; }
    main { max-width: 1100px; margin: 0 auto; padding: 24px 28px 64px; background: #fff; }
    h1 { font-size: 1.7em; margin: 0.2em 0 0.1em; line-height: 1.25; }
    h1 .sub { display: block; font-size: 0.6em; font-weight: normal; color: #555; }
    h2 { font-size: 1.25em; margin: 1.8em 0 0.5em; padding-bottom: 0.2em; border-bottom: 1px solid #ddd; }
    h3 { font-size: 1.05em; margin: 1.2em 0 0.4em; }
    p { margin: 0.5em 0; }
    code, pre, .mono { font-family: "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.88em; }
    pre { background: #f4f4f4; border: 1px solid #e2e2e2; padding: 10px 12px; overflow-x: auto; line-height: 1.35; }
    .summary { border: 2px solid #0072B2; border-radius: 6px; background: #f3f8fc; padding: 14px 18px; margin: 16px 0; }
    .summary .verdict { font-size: 1.08em; font-weight: 600; margin: 0 0 8px; }
    .summary .recommendation { font-size: 1.15em; margin: 0 0 6px; }
    dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 3px 16px; margin: 8px 0 0; }
    dl.facts dt { color: #555; }
    dl.facts dd { margin: 0; }
    .note { color: #555; font-size: 0.92em; }
    .missing { color: #a33; font-style: italic; }
    figure { margin: 14px 0; }
    figure.chart svg { display: block; width: 100%; height: auto; }
    figcaption { color: #444; font-size: 0.9em; margin-top: 4px; }
    .grids { display: grid; grid-template-columns: repeat(auto-fill, minmax(500px, 1fr)); gap: 10px 24px; }
    .grids figure { margin: 6px 0; }
    .grids img { display: block; image-rendering: pixelated; image-rendering: crisp-edges; max-width: 100%; \
    height: auto; border: 1px solid #ccc; background: #000; }
    .table-wrap { overflow-x: auto; margin: 8px 0; }
    table { border-collapse: collapse; font-size: 0.82em; }
    th, td { padding: 3px 6px; border-bottom: 1px solid #e4e4e4; text-align: left; white-space: nowrap; }
    th { background: #f0f0f0; font-weight: 600; vertical-align: bottom; white-space: normal; min-width: 3.2em; \
    line-height: 1.25; }
    th[title] { text-decoration: underline dotted #999; cursor: help; }
    table.rules td { white-space: normal; vertical-align: top; min-width: 7em; }
    table.rules td:last-child { min-width: 22em; }
    td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
    tr.zone td { background: #fcf1d9; }
    tr.recommended td { font-weight: 700; }
    tr.recommended td:first-child { box-shadow: inset 4px 0 0 #0072B2; }
    .star { color: #0072B2; }
    .legend-key { display: inline-block; width: 12px; height: 12px; vertical-align: -1px; margin: 0 4px 0 0; \
    border: 1px solid #999; }
    .config { columns: 3 16em; column-gap: 28px; font-size: 0.92em; }
    .config div { break-inside: avoid; padding: 1px 0; }
    .config code.key { color: #555; }
    a { color: #0061a0; }
    """
}
