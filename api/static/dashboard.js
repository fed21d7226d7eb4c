/* Draws every figure of the page: JSON blocks <script type="application/json" class="figure">
   hold plotly figures built on the server; plotly.js is served locally (/dashboard/static). */
(function () {
  "use strict";
  var config = { responsive: true, displaylogo: false, modeBarButtonsToRemove: ["select2d", "lasso2d"] };
  function draw(block) {
    var target = document.getElementById(block.getAttribute("data-target"));
    if (!target || typeof Plotly === "undefined") { return; }
    var fig = JSON.parse(block.textContent);
    Plotly.newPlot(target, fig.data, fig.layout, config).then(function () {
      target.setAttribute("data-rendered", "true");
    });
  }
  document.querySelectorAll("script.figure").forEach(draw);
})();

/* The year switch submits on change (the button stays for pages without script). */
document.querySelectorAll("form.year select").forEach(function (select) {
  select.addEventListener("change", function () { select.form.submit(); });
});
