// The lifecycle stage-flow Sankey: <div data-stage-flow="ID"> draws the links in
// <script type="application/json" id="ID"> ({nodes: [...], links: [...]}).
(function () {
  "use strict";
  function draw(element) {
    var source = document.getElementById(element.dataset.stageFlow);
    if (!source || !window.echarts) return;
    var data = JSON.parse(source.textContent);
    var chart = window.echarts.init(element, null, { renderer: "canvas" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item" },
      series: [{
        type: "sankey",
        left: 8, right: 90, top: 8, bottom: 8,
        nodeGap: 14,
        emphasis: { focus: "adjacency" },
        lineStyle: { color: "gradient", curveness: 0.5 },
        data: data.nodes,
        links: data.links
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }
  function init() {
    document.querySelectorAll("[data-stage-flow]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
