// Report charts: each <div data-report-chart="ID"> gets the ECharts option from
// <script type="application/json" id="ID">; a chart with `urls` opens the URL of
// the clicked category (the trend's month -> the order list of that month).
(function () {
  "use strict";
  function draw(element) {
    var source = document.getElementById(element.dataset.reportChart);
    if (!source || !window.echarts) return;
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(spec.option);
    if (spec.urls) {
      chart.on("click", function (params) {
        var url = spec.urls[params.dataIndex];
        if (url) window.location.href = url;
      });
      chart.getZr().on("click", function (event) {
        if (event.target) return; // a bar or point: handled above
        var point = [event.offsetX, event.offsetY];
        if (!chart.containPixel("grid", point)) return;
        var index = chart.convertFromPixel({ seriesIndex: 0 }, point)[0];
        var url = spec.urls[index];
        if (url) window.location.href = url;
      });
    }
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() {
    document.querySelectorAll("[data-report-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
