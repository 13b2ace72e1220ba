// Dashboard charts: each <div data-dash-chart="ID"> gets {option, urls?} from
// <script type="application/json" id="ID">. A click opens the clicked item's `url`
// (bars, heat-map cells, Sankey links: the customers behind it) or, for the sales
// trend, the month's entry in `urls` (the order list of that month).
(function () {
  "use strict";
  function open(url) { if (url) window.location.href = url; }
  function draw(element) {
    var source = document.getElementById(element.dataset.dashChart);
    if (!source || !window.echarts) return;
    var spec = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption(spec.option);
    chart.on("click", function (params) {
      if (params.data && params.data.url) return open(params.data.url);
      if (spec.urls) open(spec.urls[params.dataIndex]);
    });
    if (spec.urls) {
      chart.getZr().on("click", function (event) {
        if (event.target) return; // a bar or point: handled above
        var point = [event.offsetX, event.offsetY];
        if (!chart.containPixel("grid", point)) return;
        open(spec.urls[chart.convertFromPixel({ seriesIndex: 0 }, point)[0]]);
      });
    }
    element.dataset.ready = "1";
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() {
    document.querySelectorAll("[data-dash-chart]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
