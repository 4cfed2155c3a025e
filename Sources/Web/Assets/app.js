// Ticketing's only script: the order page's countdown, and Stripe.js card entry when a publishable key is
// configured. Every page works without it; forms post and redirect.
"use strict";

// The countdown is a timer that screen readers leave alone (aria-live off): it changes every second. A
// visually hidden status says the time left at a few moments only, and that the order has expired.
const announcements = [[300, "5 minutes left to pay."], [60, "1 minute left to pay."]];

function startCountdown(element) {
  const expiresAt = Date.parse(element.dataset.expiresAt);
  if (Number.isNaN(expiresAt)) return;
  const output = element.querySelector("strong");
  const status = document.getElementById("countdown-announcement");
  const announce = (text) => { if (status) status.textContent = text; };
  let previous = null;
  const tick = () => {
    const left = Math.max(0, Math.floor((expiresAt - Date.now()) / 1000));
    if (left === 0) {
      element.textContent = "Order expired";
      element.removeAttribute("role");
      element.classList.add("expired");
      element.id = "expired";
      announce("Order expired. The ticket is no longer held for you.");
      const form = document.getElementById("pay-form");
      if (form) form.querySelectorAll("button, input").forEach((control) => { control.disabled = true; });
      return;
    }
    // Only a moment crossed while the page is open is announced, not one already past when it loaded.
    if (previous !== null) {
      const crossed = announcements.find(([at]) => previous > at && left <= at);
      if (crossed) announce(crossed[1]);
    }
    previous = left;
    output.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0");
    setTimeout(tick, 1000 - (Date.now() % 1000));
  };
  tick();
}

function startStripe(container) {
  if (typeof Stripe !== "function") return;
  const stripe = Stripe(container.dataset.stripeKey);
  const card = stripe.elements().create("card");
  card.mount(container);
  const form = container.closest("form");
  form.addEventListener("submit", async (event) => {
    const field = document.getElementById("payment-method");
    if (field.value) return;
    event.preventDefault();
    const result = await stripe.createPaymentMethod({ type: "card", card });
    if (result.error) {
      let message = document.getElementById("token-error");
      if (!message) {
        message = document.createElement("p");
        message.id = "token-error";
        message.className = "field-error";
        message.setAttribute("role", "alert");
        container.after(message);
      }
      message.textContent = result.error.message;
      return;
    }
    field.value = result.paymentMethod.id;
    form.submit();
  });
}

document.addEventListener("DOMContentLoaded", () => {
  const countdown = document.getElementById("countdown");
  if (countdown) startCountdown(countdown);
  const card = document.getElementById("card-element");
  if (card) startStripe(card);
});
