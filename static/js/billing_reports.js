// Charts of the billing reports (GL journal, revenue, receivables ageing, billing
// runs). Each canvas names, in data-report-chart, a json_script element holding
// {type, stacked, labels, datasets: [{label, data}]} (no inline script: CSP).
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.reportChart);
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    var stacked = Boolean(data.stacked);
    new Chart(canvas, {
      type: data.type || "bar",
      data: {
        labels: data.labels,
        datasets: data.datasets.map(function (set) {
          return { label: set.label, data: set.data };
        })
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        plugins: { legend: { position: "bottom" } },
        scales: {
          x: { stacked: stacked },
          y: { stacked: stacked, beginAtZero: true }
        }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-report-chart]").forEach(draw);
  });
})();
