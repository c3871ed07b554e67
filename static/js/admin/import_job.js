/* A background import's page: asks its status URL every second while the worker reads, checks
   or writes, and shows the rows read, checked and written without reloading. When the worker
   is done with a step (the preview, a choice to make, the result), the page is loaded again to
   show it. The texts come translated from the server. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("import-job");
  if (!box || box.dataset.active !== "true") {
    return;
  }
  const byId = (id) => document.getElementById(id);
  const counts = [
    ["read", "rows_read", "total_rows"],
    ["checked", "rows_checked", "total_rows"],
    ["written", "rows_written", "rows_to_write"],
  ];

  const show = (data) => {
    byId("import-job-status").textContent = data.status_label;
    for (const [name, value, max] of counts) {
      const bar = byId(`import-job-${name}-bar`);
      bar.max = Math.max(data[max], data[value], 1);
      bar.value = data[value];
      byId(`import-job-${name}`).textContent = data[value];
    }
    const message = byId("import-job-message");
    message.textContent = data.message;
    message.hidden = !data.message;
    box.dataset.status = data.status;
  };

  const poll = () => {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        show(data);
        if (data.active) {
          setTimeout(poll, 1000);
        } else {
          window.location.reload();
        }
      })
      .catch(() => setTimeout(poll, 3000));
  };
  setTimeout(poll, 1000);
});
