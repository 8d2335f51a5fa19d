// The chart of a billing run's review: total per product, this run against the
// previous one. Data comes from a json_script element named by the canvas's
// data-billing-chart attribute (no inline script: Content-Security-Policy).
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.billingChart);
    if (!source || typeof Chart === "undefined") return;
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [
          { label: data.series.current, data: data.current },
          { label: data.series.previous, data: data.previous }
        ]
      },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: false,
        scales: { y: { beginAtZero: true } }
      }
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("canvas[data-billing-chart]").forEach(draw);
  });
})();
