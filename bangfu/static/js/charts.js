/*
 * bangfu charts: turns marked elements into Apache ECharts charts.
 *
 * Contract (used by the dashboards and by other pages; keep it stable):
 *
 *   <div class="chart" data-chart data-chart-source="funds-by-year"></div>
 *   {{ funds_chart|json_script:"funds-by-year" }}
 *
 * - Every element with a `data-chart` attribute gets one ECharts instance.
 * - `data-chart-source` names the id of a `json_script` element holding the chart's option
 *   object exactly as ECharts expects it (series, xAxis, ...). JSON cannot carry functions, so
 *   options use templates for formatters ("{b}: {c}"), not callbacks.
 * - Optional `data-chart-renderer="svg"` picks the SVG renderer (default canvas).
 * - The element needs a height (the stylesheet gives `.chart` one).
 * - Charts follow window resizes, are disposed before htmx replaces them and are set up again
 *   after every htmx swap (`htmx:afterSwap`), so filters can re-render a fragment with new data.
 * - An element that has been set up carries `data-chart-ready` (init() skips it; dispose()
 *   first to draw it again), and `data-chart-drawn` once ECharts has finished drawing and
 *   animating it; browser tests wait for that before a screenshot.
 *
 * Needs `echarts` loaded first: {% static 'vendor/echarts/echarts.min.js' %}.
 * Exposes `window.bangfuCharts.init(root)` and `window.bangfuCharts.dispose(root)`.
 */
(function () {
  "use strict";

  // The stylesheet's palette, so charts match the page.
  var PALETTE = ["#b3261e", "#1f6f8b", "#d08c2c", "#4c7a34", "#6b4fa0", "#8a8f98", "#c2577a"];

  function readOption(element) {
    var sourceId = element.getAttribute("data-chart-source");
    var source = sourceId && document.getElementById(sourceId);
    if (!source) {
      console.warn("bangfu charts: no json_script element with id", sourceId);
      return null;
    }
    try {
      return JSON.parse(source.textContent);
    } catch (error) {
      console.warn("bangfu charts: option of", sourceId, "is not JSON", error);
      return null;
    }
  }

  function elementsIn(root) {
    var found = Array.prototype.slice.call((root || document).querySelectorAll("[data-chart]"));
    if (root && root.matches && root.matches("[data-chart]")) {
      found.unshift(root);
    }
    return found;
  }

  function init(root) {
    if (typeof window.echarts === "undefined") {
      console.warn("bangfu charts: echarts is not loaded");
      return;
    }
    elementsIn(root).forEach(function (element) {
      if (element.hasAttribute("data-chart-ready") && element.isConnected) {
        return;
      }
      var option = readOption(element);
      if (!option) {
        return;
      }
      if (!option.color) {
        option.color = PALETTE;
      }
      var chart =
        window.echarts.getInstanceByDom(element) ||
        window.echarts.init(element, null, {
          renderer: element.getAttribute("data-chart-renderer") || "canvas",
        });
      element.removeAttribute("data-chart-drawn");
      chart.off("finished");
      chart.on("finished", function () {
        element.setAttribute("data-chart-drawn", "");
      });
      chart.setOption(option, true);
      element.setAttribute("data-chart-ready", "");
    });
  }

  function dispose(root) {
    if (typeof window.echarts === "undefined") {
      return;
    }
    elementsIn(root).forEach(function (element) {
      var chart = window.echarts.getInstanceByDom(element);
      if (chart) {
        chart.dispose();
      }
      element.removeAttribute("data-chart-ready");
    });
  }

  function resizeAll() {
    if (typeof window.echarts === "undefined") {
      return;
    }
    elementsIn(document).forEach(function (element) {
      var chart = window.echarts.getInstanceByDom(element);
      if (chart) {
        chart.resize();
      }
    });
  }

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    window.clearTimeout(resizeTimer);
    resizeTimer = window.setTimeout(resizeAll, 120);
  });

  // htmx swaps: free the old instances, then set up whatever arrived.
  document.addEventListener("htmx:beforeSwap", function (event) {
    dispose(event.detail && event.detail.target);
  });
  // After an outerHTML swap the event's target is the detached old element, so look at the
  // whole document; charts already set up are skipped.
  document.addEventListener("htmx:afterSwap", function () {
    init(document);
  });

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      init(document);
    });
  } else {
    init(document);
  }

  window.bangfuCharts = { init: init, dispose: dispose, resize: resizeAll };
})();
