import Foundation
import FunctionKit
import FunctionTesting
import Runtime

/// The steps the simulation draws from: what users do, what the runtime does, and what goes wrong.
extension Simulation {
    private enum Step: CaseIterable {
        case signUp, list, edit, order, cancel, pay, deliver, settle, jump, redeliver, crash

        /// How often each is drawn, relative to the others.
        var weight: Int {
            switch self {
            case .signUp: 2
            case .list: 8
            case .edit: 7
            case .order: 16
            case .cancel: 3
            case .pay: 16
            case .deliver: 18
            case .settle: 6
            case .jump: 7
            case .redeliver: 5
            case .crash: 3
            }
        }
    }

    /// Takes one step of the workload.
    func step() async {
        let total = Step.allCases.map(\.weight).reduce(0, +)
        var roll = plan.draw { Int.random(in: 0..<total, using: &$0) }
        var chosen = Step.deliver
        for step in Step.allCases {
            if roll < step.weight {
                chosen = step
                break
            }
            roll -= step.weight
        }
        switch chosen {
        case .signUp: await signUp()
        case .list: await list()
        case .edit: await edit()
        case .order: await order()
        case .cancel: await cancel()
        case .pay: await pay()
        case .deliver: await deliverOnce()
        case .settle: await settle()
        case .jump: jump()
        case .redeliver: await redeliver()
        case .crash: plan.armCrash(in: plan.draw { Int.random(in: 0...60, using: &$0) })
        }
    }

    private func pick(_ count: Int) -> Int? {
        count == 0 ? nil : plan.draw { Int.random(in: 0..<count, using: &$0) }
    }

    private func pick<T>(_ choices: [T]) -> T? {
        pick(choices.count).map { choices[$0] }
    }

    /// Sends a request; `nil` when the process crashed under it (the client hears nothing). An answer of
    /// 5xx that no injected fault explains, or one breaking the API's contract, is a violation.
    private func request(
        _ function: String, json: JSONValue? = nil, token: String? = nil, pathParameters: [String: String] = [:]
    ) async -> TestResponse? {
        plan.mark()
        report.requests += 1
        do {
            let response =
                if let json {
                    try await harness.http(function, json: json, token: token, pathParameters: pathParameters)
                } else {
                    try await harness.http(function, token: token, pathParameters: pathParameters)
                }
            if plan.crashed { return nil }
            report.answers[
                "\(function) \(response.status)\(response.status == 400 ? " " + (response.errorMessages.first ?? "") : "")",
                default: 0] += 1
            if response.status >= 500 && !plan.faultedSinceMark {
                violation("\(function) answered \(response.status) with no fault injected: \(response.response.body)")
            }
            return response
        } catch {
            if !plan.crashed && !plan.faultedSinceMark { violation("\(function) failed: \(error)") }
            return nil
        }
    }

    func signUp() async {
        model.signups += 1
        let email = "user\(model.signups)@example.com"
        let body: JSONValue = .object(["email": .string(email), "password": .string("password-\(model.signups)")])
        guard let response = await request("auth-signup", json: body), response.status == 201,
            let id = response.string("id")
        else { return }
        do {
            let token = try await harness.token(userID: id, email: email)
            model.users.append(Model.User(id: id, token: token))
        } catch {
            violation("no session for a new user: \(error)")
        }
    }

    /// A price as the client sends it, now and then below what Stripe can charge.
    private func price() -> JSONValue {
        .number(pick([Decimal(5), Decimal(string: "19.99") ?? 20, 25, 40, 100, Decimal(string: "0.3") ?? 0]) ?? 25)
    }

    private func list() async {
        guard let seller = pick(model.users.count) else { return }
        let body: JSONValue = .object([
            "title": .string("Show \(model.tickets.count + 1)"), "price": price(),
        ])
        guard let response = await request("tickets-create", json: body, token: model.users[seller].token),
            response.status == 201, let id = response.string("id")
        else { return }
        model.tickets.append(Model.Ticket(id: id, seller: seller))
    }

    private func edit() async {
        guard let ticket = pick(model.tickets), let someone = pick(model.users.count) else { return }
        // Mostly the seller; now and then someone else, who must be refused.
        let editor = plan.draw { $0.chance(0.85) } ? ticket.seller : someone
        let body: JSONValue = .object(["title": .string("Show \(ticket.id.prefix(4)) (new date)"), "price": price()])
        _ = await request(
            "tickets-update", json: body, token: model.users[editor].token, pathParameters: ["id": ticket.id])
    }

    private func order() async {
        guard let ticket = pick(model.tickets), var buyer = pick(model.users.count) else { return }
        // Now and then sellers try to buy their own tickets, and must be refused.
        if buyer == ticket.seller && model.users.count > 1 && plan.draw({ $0.chance(0.8) }) {
            buyer = (buyer + 1) % model.users.count
        }
        let body: JSONValue = .object(["ticketId": .string(ticket.id)])
        guard let response = await request("orders-create", json: body, token: model.users[buyer].token),
            response.status == 201, let id = response.string("id")
        else { return }
        model.orders.append(Model.Order(id: id, ticketID: ticket.id, buyer: buyer))
    }

    private func cancel() async {
        guard let index = pick(model.orders.count) else { return }
        let order = model.orders[index]
        let response = await request(
            "orders-cancel", token: model.users[order.buyer].token, pathParameters: ["id": order.id])
        let status = response?.status ?? 500
        model.orders[index].cancelled = model.orders[index].cancelled || status == 204
        model.orders[index].cancelAsked = model.orders[index].cancelAsked || status == 204 || status >= 500
    }

    private func pay() async {
        guard !model.orders.isEmpty else { return }
        // Mostly one of the latest orders, as buyers pay right after ordering; now and then an old one.
        let recent = plan.draw { $0.chance(0.7) }
        guard
            let index = recent
                ? pick(min(3, model.orders.count)).map({ model.orders.count - 1 - $0 }) : pick(model.orders.count)
        else { return }
        let order = model.orders[index]
        // A client retrying with the card it used before, or a new card: good ones and declined ones.
        let retry = plan.draw { $0.chance(0.3) }
        let token =
            retry
            ? (order.tokens.last ?? "tok_visa")
            : (pick([
                "tok_visa", "tok_visa", "tok_mastercard", "tok_chargeDeclined", "tok_chargeDeclinedInsufficientFunds",
            ])
                ?? "tok_visa")
        model.orders[index].tokens.append(token)
        let body: JSONValue = .object(["orderId": .string(order.id), "token": .string(token)])
        if await request("payments-create", json: body, token: model.users[order.buyer].token)?.status == 201 {
            model.orders[index].paid = true
        }
    }

    /// One pass of the dispatcher and one of the scheduler, as the background loops make.
    private func deliverOnce() async {
        plan.mark()
        do {
            report.deliveries += try await cascade.dispatcher.deliverDue().deliveries.count
            report.deliveries += try await cascade.scheduler.fireDue().deliveries.count
        } catch {
            passFailed(error)
        }
    }

    private func settle() async {
        plan.mark()
        do {
            report.deliveries += try await cascade.settle().deliveries.count
        } catch {
            passFailed(error)
        }
    }

    private func passFailed(_ error: any Error) {
        if !plan.crashed && !plan.faultedSinceMark {
            violation("a delivery pass failed with no fault injected: \(error)")
        }
    }

    /// Time passes with nothing running: seconds, or long enough for windows to close; now and then the
    /// clock is set back a little, as a clock corrected by NTP is.
    private func jump() {
        let seconds = plan.draw { random in
            switch Int.random(in: 0..<10, using: &random) {
            case 0: -Int.random(in: 1...60, using: &random)
            case 1...5: Int.random(in: 1...30, using: &random)
            default: Int.random(in: 60...1800, using: &random)
            }
        }
        clock.advance(by: TimeInterval(seconds))
        plan.record(.clockJump)
    }

    /// Hands an event already published to one of its subscribers again, as an at-least-once transport may.
    /// An event its inbox already holds must change nothing.
    private func redeliver() async {
        plan.mark()
        let publishers = ["tickets", "orders", "expiration", "payments"]
        guard let publisher = pick(publishers) else { return }
        do {
            let events = try await Outbox(harness.invoker.database(for: publisher)).events(after: 0, limit: 10_000)
            guard let event = pick(events)?.event else { return }
            let consumers = harness.invoker.registry.entries.compactMap { entry -> String? in
                guard case .subscription(let subject) = entry.declaration.trigger, subject == event.type else {
                    return nil
                }
                return entry.name
            }
            guard let consumer = pick(consumers) else { return }
            let seenBefore = try await Invariants.inboxHolds(event.id, consumer: consumer, in: harness)
            plan.record(.redelivery)
            plan.mark()
            let result = try await harness.deliver(consumer, event)
            report.deliveries += 1
            if seenBefore && result.outcome == .handled {
                violation("\(consumer) applied event \(event.id) (\(event.type)) a second time")
            }
        } catch {
            if !plan.crashed && !plan.faultedSinceMark { violation("redelivery failed: \(error)") }
        }
    }
}
