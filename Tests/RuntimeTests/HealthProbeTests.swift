import FunctionKit
import FunctionTesting
import Logging
import Testing
import Tickets

@testable import Runtime

/// The gateway's health probes: liveness, readiness with the delivery loops' checks, in the documented shape.
@Suite struct HealthProbeTests {
    static func gateway(_ harness: TestHarness, readiness: [ReadinessCheck]) -> Gateway {
        Gateway(invoker: harness.invoker, readiness: readiness, logger: Logger(label: "test"))
    }

    /// The body of `response`, checked against the schema of the gateway route `route`.
    static func body(_ response: FunctionKit.HTTPResponse?, route: GatewayRoute) throws -> JSONValue {
        let body = try #require(response?.jsonBody)
        let violations = try ContractCatalog.load(directory: ProjectFiles.schemas).validator.validate(
            body, against: ContractCatalog.gatewaySchema(for: route.name))
        #expect(violations.isEmpty, "\(violations)")
        return body
    }

    @Test func livenessAnswersWhileTheProcessDoes() async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            let gateway = Self.gateway(harness, readiness: [ReadinessCheck(name: "delivery") { "not started" }])
            let live = await gateway.operations(method: "GET", path: "/health/live")
            #expect(live?.statusCode == 200)
            let body = try Self.body(live, route: Gateway.liveRoute)
            #expect(body == .object(["status": .string("ok")]))
            #expect(await gateway.operations(method: "POST", path: "/health/live") == nil)
            #expect(await gateway.operations(method: "GET", path: "/health/other") == nil)
        }
    }

    @Test func readinessNeedsTheStoresAndEveryCheck() async throws {
        try await TestHarness.with(services: [TicketsService.definition()]) { harness in
            let ready = await Self.gateway(
                harness, readiness: [ReadinessCheck(name: "delivery") { nil }, ReadinessCheck(name: "timers") { nil }]
            ).operations(method: "GET", path: "/health/ready")
            #expect(ready?.statusCode == 200)
            let body = try Self.body(ready, route: Gateway.readyRoute)
            #expect(body["status"] == .string("ready"))
            #expect(body["services"] == .object(["tickets": .string("ok")]))
            #expect(body["checks"] == .object(["delivery": .string("ok"), "timers": .string("ok")]))

            let stalled = await Self.gateway(
                harness,
                readiness: [
                    ReadinessCheck(name: "delivery") { "no progress for 95 s" }, ReadinessCheck(name: "timers") { nil },
                ]
            ).operations(method: "GET", path: "/health/ready")
            #expect(stalled?.statusCode == 503)
            let reasons = try Self.body(stalled, route: Gateway.readyRoute)
            #expect(reasons["status"] == .string("unavailable"))
            #expect(reasons["checks"]?["delivery"] == .string("no progress for 95 s"))
        }
    }
}
