// Report builder chart: <div data-builder-chart="ID"> gets the ECharts option from
// <script type="application/json" id="ID">; clicking a bar or point opens its `urls`
// entry (the customer list / order list of that group). Drawn again after every htmx
// swap of the result.
(function () {
  "use strict";
  function draw(element) {
    var source = document.getElementById(element.dataset.builderChart);
    if (!source || !window.echarts) return;
    var spec = JSON.parse(source.textContent);
    var old = window.echarts.getInstanceByDom(element);
    if (old) old.dispose();
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(spec.option);
    element.dataset.drawn = "1";
    chart.on("click", function (params) {
      var url = spec.urls && spec.urls[params.dataIndex];
      if (url) window.location.href = url;
    });
  }
  function init(root) {
    (root || document).querySelectorAll("[data-builder-chart]").forEach(draw);
  }
  window.addEventListener("resize", function () {
    document.querySelectorAll("[data-builder-chart]").forEach(function (element) {
      var chart = window.echarts && window.echarts.getInstanceByDom(element);
      if (chart) chart.resize();
    });
  });
  document.addEventListener("htmx:afterSettle", function () { init(document); });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { init(document); });
  } else {
    init(document);
  }
})();
