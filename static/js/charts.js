// Charts of the report pages. Data comes from a json_script element named by the
// canvas's data-chart attribute (no inline script: Content-Security-Policy).
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chart);
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "line", label: data.series.base, data: data.base, yAxisID: "base", tension: 0.2 },
          { type: "bar", label: data.series.new, data: data.new, yAxisID: "moves" },
          { type: "bar", label: data.series.churned, data: data.churned, yAxisID: "moves" }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: {
          base: { type: "linear", position: "left", beginAtZero: true },
          moves: { type: "linear", position: "right", beginAtZero: true, grid: { drawOnChartArea: false } }
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-chart]").forEach(draw);
  });
})();
