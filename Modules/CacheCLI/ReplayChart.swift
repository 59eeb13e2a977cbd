import Foundation

/// `cachectl replay --svg`: hit ratio against capacity, one curve per policy, as a
/// self-contained SVG (no scripts, fonts or external references) with axes, ticks, a
/// legend and the trace's name. Belady's optimum, when present, is drawn dashed: the ceiling.
struct ReplayChart {
    struct Series {
        var policy: String
        /// (capacity in entries, hit ratio) in capacity order.
        var points: [(capacity: Int, hitRatio: Double)]
    }

    var trace: String
    var accesses: Int
    var distinctKeys: Int
    var series: [Series]

    static let width = 720.0, height = 440.0
    static let plot = (left: 70.0, right: 560.0, top: 50.0, bottom: 380.0)
    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2", "#17becf"]

    /// The SVG document.
    func render() -> String {
        let p = Self.plot
        let capacities = series.flatMap { $0.points.map(\.capacity) }
        let lowest = Double(capacities.min() ?? 1), highest = Double(capacities.max() ?? 1)
        // Capacities spanning more than a decade read better on a log axis.
        let logarithmic = lowest > 0 && highest / lowest > 10
        func x(_ capacity: Int) -> Double {
            guard highest > lowest else { return (p.left + p.right) / 2 }
            let c = Double(capacity)
            let t = logarithmic ? (log10(c) - log10(lowest)) / (log10(highest) - log10(lowest)) : (c - lowest) / (highest - lowest)
            return p.left + t * (p.right - p.left)
        }
        let ceiling = min(1, max(0.1, ((series.flatMap { $0.points.map(\.hitRatio) }.max() ?? 1) * 10).rounded(.up) / 10))
        func y(_ ratio: Double) -> Double { p.bottom - min(max(ratio, 0), ceiling) / ceiling * (p.bottom - p.top) }
        func n(_ v: Double) -> String { String(format: "%.1f", v) }

        var svg: [String] = []
        svg.append(##"<?xml version="1.0" encoding="UTF-8"?>"##)
        svg.append(##"<svg xmlns="http://www.w3.org/2000/svg" width="\##(Int(Self.width))" height="\##(Int(Self.height))" viewBox="0 0 \##(Int(Self.width)) \##(Int(Self.height))" font-family="sans-serif" font-size="12">"##)
        svg.append("<title>\(Self.escape("Hit ratio against capacity: \(trace)"))</title>")
        svg.append(##"<rect width="100%" height="100%" fill="white"/>"##)
        svg.append(##"<text x="\##(n(Self.width / 2))" y="24" text-anchor="middle" font-size="15" font-weight="bold">\##(Self.escape("\(trace): hit ratio against capacity"))</text>"##)
        svg.append(##"<text x="\##(n(Self.width / 2))" y="40" text-anchor="middle" fill="#555">\##(Self.escape("\(accesses) accesses, \(distinctKeys) distinct keys"))</text>"##)
        // Axes and grid.
        svg.append(##"<g class="axes" stroke="#333" stroke-width="1">"##)
        svg.append(##"<line x1="\##(n(p.left))" y1="\##(n(p.bottom))" x2="\##(n(p.right))" y2="\##(n(p.bottom))"/>"##)
        svg.append(##"<line x1="\##(n(p.left))" y1="\##(n(p.top))" x2="\##(n(p.left))" y2="\##(n(p.bottom))"/>"##)
        svg.append("</g>")
        svg.append(##"<g class="y-ticks">"##)
        let tick = ceiling <= 0.2 ? 0.02 : 0.1
        for step in 0...Int((ceiling / tick).rounded()) {
            let ratio = Double(step) * tick
            svg.append(##"<line x1="\##(n(p.left))" y1="\##(n(y(ratio)))" x2="\##(n(p.right))" y2="\##(n(y(ratio)))" stroke="#ddd"/>"##)
            svg.append(##"<text x="\##(n(p.left - 8))" y="\##(n(y(ratio) + 4))" text-anchor="end">\##(String(format: "%.2f", ratio))</text>"##)
        }
        svg.append("</g>")
        svg.append(##"<g class="x-ticks">"##)
        for capacity in Set(capacities).sorted() {
            let share = distinctKeys > 0 ? String(format: " (%.3g%%)", Double(capacity) / Double(distinctKeys) * 100) : ""
            svg.append(##"<line x1="\##(n(x(capacity)))" y1="\##(n(p.bottom))" x2="\##(n(x(capacity)))" y2="\##(n(p.bottom + 5))" stroke="#333"/>"##)
            svg.append(##"<text x="\##(n(x(capacity)))" y="\##(n(p.bottom + 18))" text-anchor="middle">\##(capacity)\##(Self.escape(share))</text>"##)
        }
        svg.append("</g>")
        svg.append(##"<text x="\##(n((p.left + p.right) / 2))" y="\##(n(p.bottom + 40))" text-anchor="middle">\##(logarithmic ? "capacity, entries (log scale)" : "capacity, entries")</text>"##)
        svg.append(##"<text transform="translate(18 \##(n((p.top + p.bottom) / 2))) rotate(-90)" text-anchor="middle">hit ratio</text>"##)
        // Curves and legend.
        for (i, s) in series.enumerated() {
            let color = Self.colors[i % Self.colors.count]
            let dashed = s.policy == "opt" ? ##" stroke-dasharray="6 4""## : ""
            let points = s.points.map { "\(n(x($0.capacity))),\(n(y($0.hitRatio)))" }.joined(separator: " ")
            svg.append(##"<g class="series" data-policy="\##(Self.escape(s.policy))">"##)
            svg.append(##"<polyline class="curve" data-policy="\##(Self.escape(s.policy))" fill="none" stroke="\##(color)" stroke-width="2"\##(dashed) points="\##(points)"/>"##)
            for point in s.points {
                svg.append(##"<circle cx="\##(n(x(point.capacity)))" cy="\##(n(y(point.hitRatio)))" r="3" fill="\##(color)"><title>\##(Self.escape("\(s.policy) at \(point.capacity): \(String(format: "%.4f", point.hitRatio))"))</title></circle>"##)
            }
            svg.append("</g>")
            let ly = p.top + 10 + Double(i) * 20
            svg.append(##"<g class="legend"><line x1="\##(n(p.right + 20))" y1="\##(n(ly))" x2="\##(n(p.right + 44))" y2="\##(n(ly))" stroke="\##(color)" stroke-width="2"\##(dashed)/><text x="\##(n(p.right + 50))" y="\##(n(ly + 4))">\##(Self.escape(s.policy == "opt" ? "opt (ceiling)" : s.policy))</text></g>"##)
        }
        svg.append("</svg>")
        return svg.joined(separator: "\n") + "\n"
    }

    /// Text made safe for XML character data and attribute values.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }
}
