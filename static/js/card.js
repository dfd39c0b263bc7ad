// The card form: Stripe's Payment Element confirms the PaymentIntent in the browser; the orders are marked paid
// when Stripe's signed webhook arrives, never from this page.
(function () {
  const form = document.getElementById("card-form");
  if (!form || typeof Stripe === "undefined") {
    return;
  }
  const stripe = Stripe(form.dataset.stripeKey);
  const elements = stripe.elements({ clientSecret: form.dataset.clientSecret });
  elements.create("payment").mount("#payment-element");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const { error } = await stripe.confirmPayment({ elements, confirmParams: { return_url: form.dataset.returnUrl } });
    if (error) {
      document.getElementById("card-message").textContent = error.message;
    }
  });
})();
