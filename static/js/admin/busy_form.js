/* Long-running forms (the Excel import's check and its confirmation): on submit, disable the
   button so it is not pressed twice and say that the work is under way. The message comes
   from the form's data-busy-message attribute, translated by the template. */
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  const message = form.dataset ? form.dataset.busyMessage : undefined;
  if (!message) {
    return;
  }
  for (const button of form.querySelectorAll("[type=submit]")) {
    // Disabled after this event, so the browser still sends the form.
    setTimeout(() => { button.disabled = true; }, 0);
  }
  let status = form.querySelector(".busy-status");
  if (!status) {
    status = document.createElement("p");
    status.className = "busy-status";
    status.setAttribute("role", "status");
    form.append(status);
  }
  status.textContent = message;
});
