/* Draws every <canvas data-chart="ID"> from the JSON configuration in <script type="application/json" id="ID">.
   No inline scripts: the console's Content-Security-Policy admits scripts from the app only. */
(function () {
  "use strict";
  function draw() {
    if (typeof window.Chart === "undefined") { return; }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    for (var i = 0; i < canvases.length; i++) {
      var canvas = canvases[i];
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source || window.Chart.getChart(canvas)) { continue; }
      var config = JSON.parse(source.textContent);
      if (config.type === "radar") {
        config.options.scales = { r: { suggestedMin: 0, suggestedMax: 120 } };
      }
      new window.Chart(canvas, config);
      canvas.setAttribute("data-drawn", "true");
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
