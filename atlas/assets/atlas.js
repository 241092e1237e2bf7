/* GenAI Challenges Atlas: the paper table's filters and sorting, and copy buttons. No dependencies. */
(function () {
  "use strict";

  // Where this script lives: the graph's scripts sit beside it and are loaded only where a graph is.
  var assetBase = (document.currentScript && document.currentScript.src || "").replace(/atlas\.js(\?.*)?$/, "");
  var graphScripts = null;

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + url)); };
      document.head.appendChild(script);
    });
  }

  function setUpGraphs() {
    var containers = document.querySelectorAll("[data-atlas-graph]");
    if (!containers.length) return;
    if (!graphScripts) {
      graphScripts = loadScript(assetBase + "vendor/graphology.umd.min.js")
        .then(function () { return loadScript(assetBase + "vendor/sigma.min.js"); })
        .then(function () { return loadScript(assetBase + "atlas-graph.js"); });
    }
    graphScripts.then(function () {
      containers.forEach(function (container) { window.AtlasGraph.mount(container); });
    });
  }

  function setUpPaperTable() {
    var table = document.getElementById("atlas-papers");
    var filters = document.getElementById("atlas-filters");
    if (!table || !filters || table.dataset.ready) return;
    table.dataset.ready = "1";
    filters.hidden = false;
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var controls = {
      text: document.getElementById("atlas-filter-text"),
      challenge: document.getElementById("atlas-filter-challenge"),
      year: document.getElementById("atlas-filter-year"),
      venue: document.getElementById("atlas-filter-venue"),
      kind: document.getElementById("atlas-filter-kind")
    };
    var count = document.getElementById("atlas-filter-count");
    var params = new URLSearchParams(window.location.search);
    Object.keys(controls).forEach(function (name) {
      if (params.has(name)) controls[name].value = params.get(name);
    });

    function apply() {
      var text = controls.text.value.trim().toLowerCase();
      var shown = 0;
      rows.forEach(function (row) {
        var visible =
          (!text || row.dataset.text.indexOf(text) !== -1) &&
          (!controls.challenge.value || row.dataset.challenges.split(" ").indexOf(controls.challenge.value) !== -1) &&
          (!controls.kind.value || row.dataset.kinds.split(" ").indexOf(controls.kind.value) !== -1) &&
          (!controls.year.value || row.dataset.year === controls.year.value) &&
          (!controls.venue.value || row.dataset.venue === controls.venue.value);
        row.hidden = !visible;
        if (visible) shown += 1;
      });
      count.textContent = shown + " of " + rows.length + " papers";
      var query = new URLSearchParams();
      Object.keys(controls).forEach(function (name) {
        if (controls[name].value) query.set(name, controls[name].value);
      });
      var search = query.toString();
      window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    }

    Object.keys(controls).forEach(function (name) {
      controls[name].addEventListener(name === "text" ? "input" : "change", apply);
    });

    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    headers.forEach(function (header, column) {
      if (!header.dataset.sort) return;
      header.tabIndex = 0;
      function sort() {
        var ascending = header.getAttribute("aria-sort") !== "ascending";
        headers.forEach(function (other) { other.removeAttribute("aria-sort"); });
        header.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        var numeric = header.dataset.sort === "number";
        rows.sort(function (a, b) {
          var x = a.cells[column], y = b.cells[column];
          var result = numeric
            ? parseFloat(x.dataset.value) - parseFloat(y.dataset.value)
            : x.textContent.trim().localeCompare(y.textContent.trim());
          return ascending ? result : -result;
        });
        rows.forEach(function (row) { table.tBodies[0].appendChild(row); });
      }
      header.addEventListener("click", sort);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sort(); }
      });
    });
    apply();
  }

  function setUpCopyButtons() {
    document.querySelectorAll("button.atlas-copy").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        if (!source) return;
        var done = function () { button.textContent = "Copied"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(source.textContent).then(done);
        } else {
          var range = document.createRange();
          range.selectNodeContents(source);
          var selection = window.getSelection();
          selection.removeAllRanges();
          selection.addRange(range);
          document.execCommand("copy");
          done();
        }
      });
    });
  }

  function setUp() { setUpPaperTable(); setUpCopyButtons(); setUpGraphs(); }
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
