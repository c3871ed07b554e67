/* Draws the trend of the key rates at month ends from the data the page embeds with
   json_script ("trend-data"): one line per rate, each point labelled with its value. */
(function () {
  "use strict";

  var source = document.getElementById("trend-data");
  var canvas = document.querySelector("canvas[data-trend-chart]");
  if (!source || !canvas || typeof Chart === "undefined") {
    return;
  }
  var trend = JSON.parse(source.textContent);
  if (typeof ChartDataLabels !== "undefined") {
    Chart.register(ChartDataLabels);
  }

  var PALETTE = ["#1f5fa8", "#e07b39", "#3a9d5d", "#c8463d", "#7b61a8", "#2aa1b3", "#c9a227"];

  var datasets = Object.keys(trend.rates)
    .filter(function (key) {
      // A time ratio of a unit no month has items in draws nothing.
      return key.indexOf("promised_to_legal_") !== 0 || trend.rates[key].some(Boolean);
    })
    .map(function (key, index) {
      var colour = PALETTE[index % PALETTE.length];
      return {
        label: trend.labels[key],
        data: trend.rates[key],
        borderColor: colour,
        backgroundColor: colour,
        pointRadius: 3,
        tension: 0,
      };
    });

  new Chart(canvas, {
    type: "line",
    data: { labels: trend.days, datasets: datasets },
    options: {
      animation: false,
      maintainAspectRatio: false,
      layout: { padding: { top: 24, right: 24 } },
      scales: {
        y: { beginAtZero: true, suggestedMax: 100, ticks: { callback: function (v) { return v + "%"; } } },
      },
      plugins: {
        legend: { position: "bottom" },
        tooltip: {
          callbacks: {
            label: function (ctx) { return ctx.dataset.label + "：" + ctx.parsed.y + "%"; },
          },
        },
        datalabels: {
          // Every point carries its value; where labels would overlap, some give way (the
          // table beside the chart has every number).
          display: "auto",
          align: "top",
          clamp: true,
          color: function (ctx) { return ctx.dataset.borderColor; },
          font: { size: 10, weight: "600" },
          formatter: function (value) { return value + "%"; },
        },
      },
    },
  });
})();
