import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1

/// An answer other than 200 that a route decides on: its status, a one-line message for `{"error": …}`, and any
/// headers it needs (`WWW-Authenticate` on 401, `Retry-After` on 503).
struct HTTPFailure: Error {
    var status: HTTPResponse.Status
    var message: String
    var headers: HTTPFields = [:]
}

/// Turns every error a route throws into a JSON answer `{"error": "…"}` and logs it by whose fault it is: requests
/// that break the protocol or the limits (4xx) and overload (503) are logged as client errors or warnings, with the
/// message; anything else is an internal error (500), logged as an error with its detail, never a crash.
struct ErrorMiddleware<Context: RequestContext>: RouterMiddleware {
    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let failure = Self.failure(for: error)
            let line = "\(request.method) \(request.uri.path): \(failure.status.code) \(failure.message)"
            switch failure.status.code {
            case 500...:
                if failure.status == .serviceUnavailable {
                    context.logger.warning("overload: \(line)")
                } else {
                    context.logger.error("internal error: \(line) (\(String(reflecting: error)))")
                }
            default:
                context.logger.notice("client error: \(line)")
            }
            return Self.response(failure)
        }
    }

    /// The answer for `error`.
    static func failure(for error: any Error) -> HTTPFailure {
        switch error {
        case let failure as HTTPFailure:
            return failure
        case let error as KServeError:
            return HTTPFailure(status: .badRequest, message: error.description)
        case let error as HTTPParserError:
            // The body broke HTTP/1.1 while the route was reading it (a bad chunk size, a connection closed before
            // the announced length): the client's fault. The connection cannot go on.
            return HTTPFailure(status: .badRequest, message: "HTTP: malformed request (\(error))",
                               headers: [.connection: "close"])
        case is NIOTooManyBytesError:
            return HTTPFailure(status: .contentTooLarge, message: "body: larger than the server's limit",
                               headers: [.connection: "close"])
        case let error as any HTTPResponseError:
            let reason = error.status.reasonPhrase.lowercased()
            return HTTPFailure(status: error.status, message: reason.isEmpty ? "HTTP \(error.status.code)" : reason)
        default:
            return HTTPFailure(status: .internalServerError, message: "internal error (details in the server's log)")
        }
    }

    /// `{"error": "…"}` with the failure's status and headers.
    static func response(_ failure: HTTPFailure) -> Response {
        let message = failure.message.split(whereSeparator: \.isNewline).joined(separator: " ")
        var headers = failure.headers
        headers[.contentType] = "application/json"
        return Response(status: failure.status, headers: headers,
                        body: .init(byteBuffer: ByteBuffer(bytes: InferenceCodec.json(ErrorBody(error: message)))))
    }
}

/// Counts every answer by route template and status, and times it (`ServeMetrics`).
struct MetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    let metrics: ServeMetrics

    func handle(_ request: Request, context: Context,
                next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response: Response
        do {
            response = try await next(request, context)
        } catch {
            // ErrorMiddleware runs inside this one and answers everything; this is a safety net.
            response = ErrorMiddleware<Context>.response(ErrorMiddleware<Context>.failure(for: error))
        }
        metrics.request(route: context.endpointPath ?? "unmatched", status: response.status.code,
                        duration: ContinuousClock.now - start)
        return response
    }
}
