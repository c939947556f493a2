import CoreMetrics
import Metrics
import Prometheus

/// The server's metrics, recorded through swift-metrics into this server's own Prometheus registry and exposed in
/// Prometheus' text format at `GET /metrics`:
/// - `gpz_http_requests_total{route, status}`: requests answered, by route template and HTTP status;
/// - `gpz_http_request_duration_seconds{route}`: a histogram of the time from arrival to answer;
/// - `gpz_inference_seconds`: a histogram of the model's time per request, and `gpz_inference_samples_total`;
/// - `gpz_requests_in_flight` and `gpz_requests_queued`: requests holding a slot and waiting for one.
final class ServeMetrics: Sendable {
    let registry = PrometheusCollectorRegistry()
    private let factory: PrometheusMetricsFactory
    private let inferenceTimer: CoreMetrics.Timer
    private let samples: CoreMetrics.Counter
    private let inFlight: CoreMetrics.Gauge
    private let queued: CoreMetrics.Gauge

    init() {
        var factory = PrometheusMetricsFactory(registry: registry)
        factory.defaultDurationHistogramBuckets = [
            .microseconds(500), .milliseconds(1), .milliseconds(2), .milliseconds(5), .milliseconds(10),
            .milliseconds(20), .milliseconds(50), .milliseconds(100), .milliseconds(200), .milliseconds(500),
            .seconds(1), .seconds(2), .seconds(5), .seconds(10), .seconds(30),
        ]
        self.factory = factory
        inferenceTimer = CoreMetrics.Timer(label: "gpz_inference_seconds", dimensions: [], factory: factory)
        samples = CoreMetrics.Counter(label: "gpz_inference_samples_total", dimensions: [], factory: factory)
        inFlight = CoreMetrics.Gauge(label: "gpz_requests_in_flight", dimensions: [], factory: factory)
        queued = CoreMetrics.Gauge(label: "gpz_requests_queued", dimensions: [], factory: factory)
    }

    /// One answered request.
    func request(route: String, status: Int, duration: Duration) {
        CoreMetrics.Counter(label: "gpz_http_requests_total",
                            dimensions: [("route", route), ("status", String(status))], factory: factory).increment()
        CoreMetrics.Timer(label: "gpz_http_request_duration_seconds", dimensions: [("route", route)], factory: factory)
            .recordNanoseconds(duration.nanoseconds)
    }

    /// One model call on `batch` samples.
    func inference(batch: Int, duration: Duration) {
        inferenceTimer.recordNanoseconds(duration.nanoseconds)
        samples.increment(by: batch)
    }

    /// The admission gate's state.
    func load(inFlight active: Int, queued waiting: Int) {
        inFlight.record(active)
        queued.record(waiting)
    }

    /// Every metric in Prometheus' text exposition format.
    func exposition() -> String { registry.emitToString() }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : scaled + attoseconds / 1_000_000_000
    }
}
