// The offer simulator's chart: the cost of each offer in every month of the term.
// Data comes from the json_script element named by the canvas's data-offer-chart
// attribute (no inline script: Content-Security-Policy). The results are replaced by
// htmx after each comparison, so the chart is drawn again after every swap.
(function () {
  "use strict";
  function draw() {
    document.querySelectorAll("canvas[data-offer-chart]").forEach(function (canvas) {
      var source = document.getElementById(canvas.dataset.offerChart);
      if (!source || typeof Chart === "undefined" || Chart.getChart(canvas)) return;
      var data = JSON.parse(source.textContent);
      new Chart(canvas, {
        type: "line",
        data: {
          labels: data.labels,
          datasets: data.series.map(function (series) {
            return { label: series.label, data: series.data, stepped: true, pointRadius: 0, borderWidth: 2 };
          })
        },
        options: {
          responsive: true,
          maintainAspectRatio: false,
          animation: false,
          interaction: { mode: "index", intersect: false },
          scales: {
            x: { title: { display: true, text: data.x } },
            y: { beginAtZero: true, title: { display: true, text: data.y } }
          }
        }
      });
    });
  }
  document.addEventListener("DOMContentLoaded", draw);
  document.addEventListener("htmx:afterSwap", draw);
})();
