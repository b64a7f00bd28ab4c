// The dashboards' charts (templates/stats/): each canvas names the json_script element that holds
// its figures, drawn by the vendored Chart.js. No inline script (the Content Security Policy), and
// every chart has the same figures in a table beside it: without this file the tables remain.
(function () {
  "use strict";
  if (!window.Chart) return;
  // Colours distinguishable by most colour-blind readers (Okabe and Ito), darkened for contrast.
  const palette = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#56b4e9", "#e69f00", "#7a6c00", "#444444"];
  const locale = document.documentElement.lang || "en";
  document.querySelectorAll("canvas[data-chart]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.chart);
    if (!source) return;
    const figure = JSON.parse(source.textContent);
    const stacked = figure.type === "stacked";
    const datasets = figure.datasets.map((dataset, index) => ({
      ...dataset,
      backgroundColor: palette[index % palette.length],
      borderColor: palette[index % palette.length],
    }));
    const axis = { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } };
    new window.Chart(canvas, {
      type: figure.type === "line" ? "line" : "bar",
      data: { labels: figure.labels, datasets: datasets },
      options: {
        locale: locale,
        indexAxis: figure.horizontal ? "y" : "x",
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: { x: axis, y: { ...axis } },
      },
    });
  });
})();
