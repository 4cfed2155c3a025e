import FunctionKit
import Hummingbird
import NIOCore

extension Gateway {
    /// The answer to a request no route matches: the manifest's `notFound` page when a browser asks for a
    /// page (``Manifest/NotFoundPage``), else the SPEC's JSON 404. A gateway serving one function (container
    /// mode) always answers JSON: the page is its own function's container.
    func notFound(_ request: Request, context: GatewayContext, requestID: String) async -> Answer {
        guard function == nil,
            let (entry, route) = invoker.registry.notFoundPage(
                method: request.method.rawValue, path: request.uri.path, accept: request.headers[.accept])
        else { return Answer(FunctionError.notFound.response) }
        let event = Self.event(
            request, body: ByteBuffer(), route: route, parameters: [:], requestID: requestID,
            sourceIP: context.remoteAddress?.ipAddress, now: invoker.clock.now)
        do {
            return Answer(try await invoker.invoke(http: entry.name, request: event), function: entry.name)
        } catch {
            logger.error("the not-found page failed", metadata: ["function": "\(entry.name)", "error": "\(error)"])
            return Answer(FunctionError.notFound.response, function: entry.name)
        }
    }
}
