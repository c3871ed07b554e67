/* A background export's page: asks its status URL every second and shows the rows written,
   then offers the file when done. The texts come translated from the server. */
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const box = document.getElementById("export-job");
  if (!box) {
    return;
  }
  const progress = document.getElementById("export-progress");
  const status = document.getElementById("export-status");
  const message = document.getElementById("export-message");
  const file = document.getElementById("export-file");
  const finished = (state) => state === "done" || state === "failed";

  const show = (data) => {
    progress.max = Math.max(data.total_rows, 1);
    progress.value = data.rows_written;
    status.textContent = data.status_label;
    message.textContent = data.message;
    box.dataset.status = data.status;
    if (data.file_url) {
      file.href = data.file_url;
      file.hidden = false;
    }
  };

  const poll = () => {
    fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : Promise.reject(response.status)))
      .then((data) => {
        show(data);
        if (!finished(data.status)) {
          setTimeout(poll, 1000);
        }
      })
      .catch(() => setTimeout(poll, 3000));
  };
  if (!finished(box.dataset.status)) {
    setTimeout(poll, 1000);
  }
});
