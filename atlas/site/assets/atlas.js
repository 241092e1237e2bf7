/* GenAI Challenges Atlas: site search (Pagefind, loaded on first use), copy buttons, the gap map's
   filter, and the loading of the papers table's and the graph's scripts where they are needed. No dependencies. */
(function () {
  "use strict";

  // Where this script lives: the graph's scripts sit beside it and are loaded only where a graph is.
  var assetBase = (document.currentScript && document.currentScript.src || "").replace(/atlas\.js(\?.*)?$/, "");
  var graphScripts = null;
  var siteRoot = new URL(assetBase + "../../", window.location.href).pathname;
  var searchUI = null;
  var MAGNIFIER = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true"><path d="M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5"/></svg>';

  function loadScript(url) {
    return new Promise(function (resolve, reject) {
      var script = document.createElement("script");
      script.src = url;
      script.onload = resolve;
      script.onerror = function () { reject(new Error("could not load " + url)); };
      document.head.appendChild(script);
    });
  }

  // A graph's scripts and data are loaded when the reader first points at, touches or focuses it (its
  // static picture stands there till then): reading the page costs none of its work.
  function mountGraph(container) {
    if (!graphScripts) {
      graphScripts = loadScript(assetBase + "vendor/graphology.umd.min.js")
        .then(function () { return loadScript(assetBase + "vendor/sigma.min.js"); })
        .then(function () { return loadScript(assetBase + "atlas-graph.js"); });
    }
    graphScripts.then(function () { window.AtlasGraph.mount(container); });
  }

  function setUpGraphs() {
    document.querySelectorAll("[data-atlas-graph]").forEach(function (container) {
      var events = ["pointerover", "pointerdown", "touchstart", "focusin"];
      function wake() {
        events.forEach(function (type) { container.removeEventListener(type, wake); });
        mountGraph(container);
      }
      events.forEach(function (type) { container.addEventListener(type, wake, { passive: true }); });
    });
  }

  function loadStyle(url) {
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = url;
    document.head.appendChild(link);
  }

  // Search: a header button opens a dialog with Pagefind's UI; its script and index chunks are
  // fetched on first use only, so reading a page never downloads the index.
  function openSearch(dialog) {
    if (!searchUI) {
      loadStyle(siteRoot + "pagefind/pagefind-ui.css");
      // A large atlas is indexed in shards (atlas-shards.json lists them); Pagefind merges their results.
      var shards = fetch(siteRoot + "pagefind/atlas-shards.json").then(function (response) {
        return response.ok ? response.json() : { merge: [] };
      });
      searchUI = Promise.all([shards, loadScript(siteRoot + "pagefind/pagefind-ui.js")]).then(function (loaded) {
        return new window.PagefindUI({
          element: dialog.querySelector(".atlas-search-body"),
          bundlePath: siteRoot + "pagefind/",
          baseUrl: siteRoot,
          mergeIndex: loaded[0].merge.map(function (path) { return { bundlePath: siteRoot + "pagefind/" + path }; }),
          showSubResults: true,
          showImages: false,
          resetStyles: false,
          autofocus: true,
          translations: { placeholder: "Search the atlas" }
        });
      });
    }
    if (!dialog.open) dialog.showModal();
    searchUI.then(function () {
      var input = dialog.querySelector("input");
      if (input) input.focus();
    }, function () {
      dialog.querySelector(".atlas-search-body").textContent = "Search is not available: its index could not be loaded.";
    });
  }

  function setUpSearch() {
    var header = document.querySelector(".md-header__inner");
    if (!header || header.querySelector(".atlas-search-button")) return;
    var dialog = document.querySelector("dialog.atlas-search");
    if (!dialog) {
      dialog = document.createElement("dialog");
      dialog.className = "atlas-search";
      dialog.setAttribute("aria-label", "Search the atlas");
      dialog.innerHTML = '<div class="atlas-search-top"><span class="atlas-search-title">Search the atlas</span>' +
        '<button type="button" class="atlas-search-close md-button">Close</button></div><div class="atlas-search-body" role="search"></div>';
      document.body.appendChild(dialog);
      dialog.querySelector(".atlas-search-close").addEventListener("click", function () { dialog.close(); });
      dialog.addEventListener("click", function (event) {
        if (event.target === dialog || (event.target.closest && event.target.closest("a[href]"))) dialog.close();
      });
      document.addEventListener("keydown", function (event) {
        var typing = /^(INPUT|TEXTAREA|SELECT)$/.test((event.target && event.target.tagName) || "") || (event.target && event.target.isContentEditable);
        if (!typing && !dialog.open && (event.key === "/" || event.key === "s") && !event.ctrlKey && !event.metaKey && !event.altKey) {
          event.preventDefault();
          openSearch(dialog);
        }
      });
    }
    var button = document.createElement("button");
    button.type = "button";
    button.className = "md-header__button md-icon atlas-search-button";
    button.setAttribute("aria-label", "Search the atlas");
    button.title = "Search (/)";
    button.innerHTML = MAGNIFIER;
    button.addEventListener("click", function () { openSearch(dialog); });
    var before = header.querySelector(".md-header__source");
    header.insertBefore(button, before);
  }

  // The papers' table's script (atlas-papers.js) is loaded only on the page that has the table.
  var paperScript = null;
  function setUpPaperTable() {
    if (!document.getElementById("atlas-papers")) return;
    paperScript = paperScript || loadScript(assetBase + "atlas-papers.js");
    paperScript.then(function () { window.AtlasPapers.mount(siteRoot); });
  }

  function setUpCopyButtons() {
    document.querySelectorAll("button.atlas-copy").forEach(function (button) {
      if (button.dataset.ready) return;
      button.dataset.ready = "1";
      button.addEventListener("click", function () {
        var source = document.getElementById(button.dataset.copy);
        if (!source) return;
        var label = button.dataset.label || (button.dataset.label = button.textContent);
        var done = function () {  // "Copied" for a moment, then the button says what it does again
          button.textContent = "Copied";
          clearTimeout(button.atlasReset);
          button.atlasReset = setTimeout(function () { button.textContent = label; }, 2000);
        };
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

  // The research-gap map: "open only" hides the questions some paper addresses (also as ?open in the address).
  function setUpGapFilter() {
    var box = document.getElementById("atlas-open-only");
    if (!box || box.dataset.ready) return;
    box.dataset.ready = "1";
    var content = box.closest("article") || document.body;
    function apply() {
      content.classList.toggle("atlas-only-open", box.checked);
      var url = new URL(window.location.href);
      if (box.checked) url.searchParams.set("open", ""); else url.searchParams.delete("open");
      window.history.replaceState(null, "", url.pathname + url.search.replace("open=", "open") + url.hash);
    }
    box.checked = new URLSearchParams(window.location.search).has("open");
    box.addEventListener("change", apply);
    apply();
  }

  // An address whose anchor sits in a closed disclosure (the unresolved citations) opens it first.
  function openTarget() {
    var id = decodeURIComponent(window.location.hash.slice(1));
    var target = id && document.getElementById(id);
    var closed = target && target.closest("details:not([open])");
    if (closed) { closed.open = true; target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", openTarget);

  function setUp() { openTarget(); setUpSearch(); setUpPaperTable(); setUpCopyButtons(); setUpGapFilter(); setUpGraphs(); }
  if (typeof window.document$ !== "undefined" && window.document$.subscribe) {
    window.document$.subscribe(setUp);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", setUp);
  } else {
    setUp();
  }
})();
