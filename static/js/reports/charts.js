/* Draws the report's charts from the data the page embeds with json_script ("report-data"). */
(function () {
  "use strict";

  var source = document.getElementById("report-data");
  if (!source || typeof Chart === "undefined") {
    return;
  }
  var charts = JSON.parse(source.textContent);

  var PALETTE = [
    "#1f5fa8", "#e07b39", "#3a9d5d", "#c8463d", "#7b61a8",
    "#2aa1b3", "#c9a227", "#6b7785", "#d46a9f", "#8a5a44",
  ];
  var YES_NO = ["#1f5fa8", "#c9d1dc"];
  var ROW_HEIGHT = 26;

  // The page's fonts, which base.css chooses by language.
  Chart.defaults.font.family = getComputedStyle(document.documentElement).fontFamily;
  Chart.defaults.font.size = 13;
  Chart.defaults.color = "#2b2f36";
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  // Says so on the canvas when a chart has nothing to draw (no items under the filters).
  var emptyNotice = {
    id: "emptyNotice",
    afterDraw: function (chart) {
      var hasData = chart.data.datasets.some(function (ds) {
        return ds.data.some(function (value) { return value; });
      });
      if (hasData) {
        return;
      }
      var ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = "#6b7785";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.font = "14px " + Chart.defaults.font.family;
      ctx.fillText(chart.options.plugins.emptyNotice.text, chart.width / 2, chart.height / 2);
      ctx.restore();
    },
  };
  Chart.register(emptyNotice);

  // Every bar and slice carries its value, so that a printed copy reads without the tables
  // (chartjs-plugin-datalabels, static/vendor). Zeros are left unlabelled.
  if (typeof ChartDataLabels !== "undefined") {
    Chart.register(ChartDataLabels);
  }
  var BAR_LABELS = {
    anchor: "end",
    align: "end",
    clamp: true,
    color: "#1f2933",
    font: { weight: "600" },
    display: function (ctx) { return Boolean(ctx.dataset.data[ctx.dataIndex]); },
  };
  // Inside stacked bars and slices: white on the colour.
  var INNER_LABELS = {
    color: "#fff",
    font: { weight: "600" },
    display: function (ctx) {
      var values = ctx.dataset.data;
      return share(values[ctx.dataIndex], values) >= 4;
    },
  };

  // Fills "{name}" placeholders of the formats the page data gives in the page's language.
  function fill(format, values) {
    return format.replace(/\{(\w+)\}/g, function (match, name) {
      return name in values ? values[name] : match;
    });
  }

  function colour(index) {
    return PALETTE[index % PALETTE.length];
  }

  function share(value, values) {
    var total = values.reduce(function (sum, v) { return sum + v; }, 0);
    return total ? Math.round((value / total) * 1000) / 10 : 0;
  }

  function doughnut(data, colours) {
    return {
      type: "doughnut",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (ds) {
          return {
            label: ds.label,
            data: ds.data,
            backgroundColor: ds.data.map(function (_v, i) {
              return colours ? colours[i % colours.length] : colour(i);
            }),
            borderColor: "#fff",
            borderWidth: 2,
          };
        }),
      },
      options: {
        cutout: "55%",
        plugins: {
          legend: { position: "right" },
          datalabels: Object.assign({}, INNER_LABELS, {
            formatter: function (value, ctx) {
              return value + "\n" + share(value, ctx.dataset.data).toFixed(1) + "%";
            },
            textAlign: "center",
          }),
          tooltip: {
            callbacks: {
              label: function (ctx) {
                return fill(data.tooltip_format, {
                  label: ctx.label,
                  value: ctx.parsed,
                  unit: data.unit,
                  share: share(ctx.parsed, ctx.dataset.data).toFixed(1),
                });
              },
            },
          },
        },
      },
    };
  }

  function bar(data, horizontal) {
    var several = data.datasets.length > 1;
    return {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (ds, index) {
          return {
            label: ds.label,
            data: ds.data,
            backgroundColor: several ? colour(index) : data.labels.map(function (_l, i) {
              return horizontal ? colour(0) : colour(i);
            }),
            borderRadius: 3,
            maxBarThickness: 36,
          };
        }),
      },
      options: {
        indexAxis: horizontal ? "y" : "x",
        layout: { padding: horizontal ? { right: 40 } : { top: 22 } },
        plugins: { legend: { display: several }, datalabels: BAR_LABELS },
        scales: {
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { beginAtZero: true, ticks: { precision: 0, autoSkip: false } },
        },
      },
    };
  }

  function axisTitle(data, index) {
    return fill(data.axis_title_format, { label: data.datasets[index].label, unit: data.unit });
  }

  function dualAxis(data) {
    var config = bar(data, false);
    config.data.datasets.forEach(function (ds, index) {
      ds.yAxisID = index === 0 ? "y" : "y1";
      ds.backgroundColor = colour(index);
    });
    config.options.plugins.legend.display = true;
    config.options.scales = {
      x: {},
      y: {
        beginAtZero: true,
        position: "left",
        title: { display: true, text: axisTitle(data, 0) },
      },
      y1: {
        beginAtZero: true,
        position: "right",
        grid: { drawOnChartArea: false },
        title: { display: true, text: axisTitle(data, 1) },
      },
    };
    return config;
  }

  // Yes/no statistics side by side: 是 and 否 stacked to 100% of the items, one bar each.
  function stackedBar(data) {
    var config = bar(data, true);
    config.data.datasets.forEach(function (ds, index) {
      ds.backgroundColor = YES_NO[index % YES_NO.length];
    });
    config.options.layout = {};
    config.options.plugins.legend.display = true;
    config.options.scales.x.stacked = true;
    config.options.scales.y.stacked = true;
    config.options.plugins.datalabels = Object.assign({}, INNER_LABELS, {
      color: function (ctx) { return ctx.datasetIndex === 0 ? "#fff" : "#1f2933"; },
      display: function (ctx) { return Boolean(ctx.dataset.data[ctx.dataIndex]); },
    });
    return config;
  }

  var BUILDERS = {
    doughnut: function (data) { return doughnut(data); },
    "yes-no": function (data) { return doughnut(data, YES_NO); },
    bar: function (data) { return bar(data, false); },
    hbar: function (data) { return bar(data, true); },
    "dual-axis": dualAxis,
    "stacked-hbar": stackedBar,
  };

  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var data = charts[canvas.dataset.chart];
    if (!data) {
      return;
    }
    if (data.kind === "hbar") {
      canvas.parentElement.style.height =
        Math.max(220, data.labels.length * ROW_HEIGHT + 60) + "px";
    }
    var config = BUILDERS[data.kind](data);
    config.options.plugins.emptyNotice = { text: data.empty_text };
    new Chart(canvas, config);
  });

  var printButton = document.querySelector("[data-action='print']");
  if (printButton) {
    printButton.addEventListener("click", function () { window.print(); });
  }
  window.addEventListener("beforeprint", function () {
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
  window.addEventListener("afterprint", function () {
    Object.values(Chart.instances).forEach(function (chart) { chart.resize(); });
  });
})();
