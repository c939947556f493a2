import GPZScan

extension ScanReport {
    /// Privacy across splits: MSE with mean R_c², the entropy bounds, and PSNR with SSIM, each with both zones.
    static func privacySection(_ view: ScanReportView) -> String {
        let charts = [
            HTMLDocument.figure(mseChart(view).svg(), caption: "Reconstruction MSE of the attack (left axis; higher "
                + "is more private) and mean intra-class radius R_c² of the features (right axis, log scale) at every "
                + "split. Shaded: the a-priori zone (the share rule's split) and the post-hoc zone, from the leakage "
                + "boundary to the last candidate. Lines: the class-mean image's MSE (what the label alone gives) and "
                + "the MSE below which a split leaks. Hover over a marker for its values."),
            HTMLDocument.figure(entropyChart(view).svg(), caption: "Upper bounds per dimension on the entropy of the "
                + "features, h(Z)/d and h(Z|Y)/d, in nats. The lower bound on H(X|Z) is H(X) − κ − h(Z), and the "
                + "constant H(X) − κ is not estimated: only differences between splits are meaningful."),
            HTMLDocument.figure(qualityChart(view).svg(), caption: "Reconstruction quality: PSNR (left axis) and "
                + "SSIM (right axis); lower is more private."),
        ]
        return HTMLDocument.section("Privacy across splits", id: "privacy", charts.joined(separator: "\n"))
    }

    static func mseChart(_ view: ScanReportView) -> SVGChart {
        var chart = SVGChart(title: "Reconstruction MSE and mean R_c² per split", xAxis: view.splitAxis, xLabel: "split",
                             left: .init(label: "reconstruction MSE", includeZero: true, color: ReportStyle.blue),
                             right: .init(label: "mean R_c² (log)", kind: .log, color: ReportStyle.vermillion))
        chart.series = [
            .init(name: "reconstruction MSE", points: view.splits.enumerated().map { position, split in
                .init(x: Double(position), y: split.mse, tooltip: "\(split.name) (split \(split.index)): MSE "
                      + "\(ReportFormat.significant(split.mse)) ± \(ReportFormat.significant(split.mseStd, digits: 2))")
            }, color: ReportStyle.blue, markerSize: 5),
            .init(name: "mean R_c²", points: view.splits.enumerated().map { position, split in
                .init(x: Double(position), y: split.r2cMean, tooltip: "\(split.name) (split \(split.index)): mean R_c² "
                      + "\(ReportFormat.significant(split.r2cMean)) (classes \(ReportFormat.significant(split.r2cMin)) … "
                      + "\(ReportFormat.significant(split.r2cMax)))")
            }, color: ReportStyle.vermillion, side: .right, line: .dashed, marker: .square),
        ]
        chart.bands = view.zoneBands
        chart.rules = view.mseRules
        return chart
    }

    static func entropyChart(_ view: ScanReportView) -> SVGChart {
        var chart = SVGChart(title: "Entropy bounds per dimension", xAxis: view.splitAxis, xLabel: "split",
                             left: .init(label: "nats per dimension"))
        chart.height = 270
        func series(_ name: String, _ value: (ScanSplit) -> Double, color: String, marker: SVGChart.Marker,
                    line: SVGChart.Line) -> SVGChart.Series {
            .init(name: name, points: view.splits.enumerated().map { position, split in
                .init(x: Double(position), y: value(split),
                      tooltip: "\(split.name): \(name) = \(ReportFormat.significant(value(split)))")
            }, color: color, line: line, marker: marker)
        }
        chart.series = [
            series("h(Z)/d, global bound", \.hGlobalPerDim, color: ReportStyle.green, marker: .triangle, line: .solid),
            series("class-mixture bound h(Z|Y)/d + H(Y)/d", \.hClassMixturePerDim, color: ReportStyle.purple, marker: .diamond,
                   line: .dashed),
        ]
        chart.bands = view.zoneBands
        return chart
    }

    static func qualityChart(_ view: ScanReportView) -> SVGChart {
        var chart = SVGChart(title: "PSNR and SSIM per split", xAxis: view.splitAxis, xLabel: "split",
                             left: .init(label: "PSNR (dB)", color: ReportStyle.blue),
                             right: .init(label: "SSIM", includeZero: true, color: ReportStyle.vermillion))
        chart.height = 300
        chart.series = [
            .init(name: "PSNR", points: view.splits.enumerated().map { position, split in
                .init(x: Double(position), y: split.psnr,
                      tooltip: "\(split.name): PSNR \(ReportFormat.significant(split.psnr)) dB")
            }, color: ReportStyle.blue),
            .init(name: "SSIM", points: view.splits.enumerated().map { position, split in
                .init(x: Double(position), y: split.ssim,
                      tooltip: "\(split.name): SSIM \(ReportFormat.significant(split.ssim))")
            }, color: ReportStyle.vermillion, side: .right, line: .dashed, marker: .square),
        ]
        chart.bands = view.zoneBands
        return chart
    }

    /// Privacy against the edge's compute: one point per attacked split, the Pareto front and the recommendation.
    static func costSection(_ view: ScanReportView) -> String {
        let points = view.attacked.filter { $0.edgeMacs > 0 }
        guard !points.isEmpty else {
            return HTMLDocument.section("Privacy versus edge cost", id: "cost",
                                        HTMLDocument.paragraph("No attacked split to plot.", class: "note"))
        }
        var chart = SVGChart(title: "Reconstruction MSE versus edge MACs", xAxis: .numeric(.log),
                             xLabel: "edge MACs per image (log)",
                             left: .init(label: "reconstruction MSE", includeZero: true))
        chart.xTick = ReportFormat.countTick
        let front = ParetoFront.positions(cost: points.map { Double($0.edgeMacs) }, privacy: points.map { $0.mse! })
        chart.series = [
            .init(name: "Pareto front (more MSE for fewer MACs)", points: front.map {
                .init(x: Double(points[$0].edgeMacs), y: points[$0].mse)
            }, color: ReportStyle.green, line: .stepAfter, marker: .none),
            .init(name: "attacked split", points: points.map { split in
                .init(x: Double(split.edgeMacs), y: split.mse, label: split.name,
                      tooltip: "\(split.name) (split \(split.index)): MSE \(ReportFormat.significant(split.mse)), "
                          + "\(ReportFormat.count(split.edgeMacs)) MACs, \(ReportFormat.count(split.edgeParams)) params, "
                          + "\(ReportFormat.bytes(split.bytes)) sent")
            }, color: ReportStyle.blue, line: .none, markerSize: 5),
        ]
        if let recommended = view.split(view.results.recommendation.split), let mse = recommended.mse,
           recommended.edgeMacs > 0 {
            chart.series.append(.init(name: "recommended split", points: [
                .init(x: Double(recommended.edgeMacs), y: mse, tooltip: "recommended: \(recommended.name)"),
            ], color: ReportStyle.orange, line: .none, marker: .ring, markerSize: 10))
        }
        chart.rules = view.mseRules
        let caption = "Each attacked split's reconstruction MSE against the multiply-accumulates the edge runs per "
            + "image. The step line joins the Pareto-optimal splits: none of the other splits is both cheaper and "
            + "more private."
        return HTMLDocument.section("Privacy versus edge cost", id: "cost",
                                    HTMLDocument.figure(chart.svg(), caption: caption))
    }

    /// Test accuracy per epoch and, when recorded, the Neural Vortex curves.
    static func trainingSection(_ view: ScanReportView) -> String {
        let target = view.results.target
        let text = target.isPretrained
            ? "Test accuracy \(ReportFormat.percent(target.testAccuracy)) of the pretrained model (exported from "
              + "PyTorch and used as it is, not trained by GPZ); \(ReportFormat.integer(target.parameters)) parameters, "
              + "analysed on \(ReportFormat.integer(target.trainImages)) training-split images, tested on "
              + "\(ReportFormat.integer(target.privateImages)) private images."
            : "Test accuracy \(ReportFormat.percent(target.testAccuracy)) with the weights of epoch "
              + "\(target.weightsEpoch) of \(target.epochs) (last epoch \(ReportFormat.percent(target.lastAccuracy))); "
              + "\(ReportFormat.integer(target.parameters)) parameters, trained on "
              + "\(ReportFormat.integer(target.trainImages)) images, tested on "
              + "\(ReportFormat.integer(target.privateImages)) private images."
        var parts = [HTMLDocument.paragraph(text)]
        if target.history.count > 1 {
            var chart = SVGChart(title: "Test accuracy per epoch",
                                 xAxis: .categories(target.history.indices.map { String($0 + 1) }), xLabel: "epoch",
                                 left: .init(label: "test accuracy (%)", color: ReportStyle.blue))
            chart.height = 260
            chart.series = [.init(name: "test accuracy", points: target.history.enumerated().map { epoch, accuracy in
                .init(x: Double(epoch), y: accuracy * 100,
                      tooltip: "epoch \(epoch + 1): \(ReportFormat.percent(accuracy))")
            }, color: ReportStyle.blue)]
            parts.append(HTMLDocument.figure(chart.svg(), caption: "Test accuracy of the target after each epoch."))
        }
        if let epochs = view.results.perEpoch, !epochs.isEmpty {
            let which = vortexPositions(view).count == view.splits.count
                ? "every split" : "the first and last splits, the a-priori zone's first split and some between"
            parts.append(HTMLDocument.figure(vortexChart(view, epochs: epochs).svg(), caption: "Neural Vortex: mean "
                + "R_c² after each training epoch (log scale) at \(which)."))
        }
        return HTMLDocument.section("Training", id: "training", parts.joined(separator: "\n"))
    }

    static func vortexChart(_ view: ScanReportView, epochs: [ScanEpochStatistics]) -> SVGChart {
        var chart = SVGChart(title: "Mean R_c² per epoch", xAxis: .categories(epochs.map { String($0.epoch) }),
                             xLabel: "epoch", left: .init(label: "mean R_c² (log)", kind: .log))
        chart.height = 320
        let markers: [SVGChart.Marker] = [.circle, .square, .triangle, .diamond]
        chart.series = vortexPositions(view).enumerated().map { n, position in
            let split = view.splits[position]
            return .init(name: split.name, points: epochs.enumerated().map { column, epoch in
                let value = position < epoch.r2cMean.count ? epoch.r2cMean[position] : nil
                return .init(x: Double(column), y: value,
                             tooltip: "\(split.name), epoch \(epoch.epoch): mean R_c² \(ReportFormat.significant(value))")
            }, color: ReportStyle.cycle[n % ReportStyle.cycle.count], line: n < 4 ? .solid : .dashed,
                         marker: markers[n % markers.count])
        }
        return chart
    }

    /// The split positions the vortex chart shows: all of them up to seven, otherwise the first, the last, the
    /// a-priori zone's first split and evenly spaced ones between, seven in all.
    static func vortexPositions(_ view: ScanReportView) -> [Int] {
        let count = view.splits.count
        guard count > 7 else { return Array(0..<count) }
        var chosen = Set((0..<6).map { Int((Double($0) * Double(count - 1) / 5).rounded()) })
        if let zone = view.position(view.results.zones.zone.split) { chosen.insert(zone) }
        return chosen.sorted()
    }
}
