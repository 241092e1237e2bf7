/* GenAI Challenges Atlas: the interactive challenge-to-paper graph (sigma.js + graphology).
   Reads the node-link graph.json written by the build; positions, sizes and colours come with it. */
(function () {
  "use strict";

  var DRAWN = { challenge: true, subchallenge: true, paper: true };
  var EDGES = { addresses: true, sub_of: true };
  var current = null;

  function cssColour(name, fallback) {
    var value = getComputedStyle(document.body).getPropertyValue(name).trim();
    return value || fallback;
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text) node.textContent = text;
    if (className) node.className = className;
    return node;
  }

  function buildGraph(data) {
    var graph = new graphology.MultiDirectedGraph();
    data.nodes.forEach(function (node) {
      if (!DRAWN[node.type] || typeof node.x !== "number") return;  // questions and papers outside the challenges are not drawn
      var attributes = Object.assign({}, node);
      delete attributes.id;
      attributes.nodeType = node.type;
      delete attributes.type;
      graph.addNode(node.id, attributes);
    });
    data.edges.forEach(function (edge) {
      if (!EDGES[edge.type] || !graph.hasNode(edge.source) || !graph.hasNode(edge.target)) return;
      graph.addDirectedEdge(edge.source, edge.target, { edgeType: edge.type, why: edge.why || "", kind: edge.kind || "", size: 0.6 * (edge.weight || 1) });
    });
    return graph;
  }

  function mount(container) {
    if (container.dataset.mounted) return;
    container.dataset.mounted = "1";
    if (current && !document.body.contains(current.container)) { current.renderer.kill(); current = null; }
    var base = container.dataset.base || "";
    var stage = container.querySelector(".atlas-graph-canvas");
    var tooltip = container.querySelector(".atlas-graph-tooltip");
    var search = container.querySelector(".atlas-graph-search");
    var results = container.querySelector(".atlas-graph-results");
    var filters = {};
    container.querySelectorAll(".atlas-graph-filter").forEach(function (select) { filters[select.dataset.filter] = select; });

    fetch(container.dataset.atlasGraph).then(function (response) {
      if (!response.ok) throw new Error("graph.json: HTTP " + response.status);
      return response.json();
    }).then(function (data) {
      var graph = buildGraph(data);
      var state = { hovered: null, focused: null, dragged: null, moved: false, excluded: new Set() };

      function matches(node, attributes) {
        if (attributes.nodeType !== "paper") {
          var owner = attributes.nodeType === "challenge" ? attributes.record_id : attributes.challenge;
          return !filters.challenge.value || owner === filters.challenge.value;
        }
        var challenge = filters.challenge.value, year = filters.year.value, venue = filters.venue.value;
        var linked = " " + attributes.challenges + " " + (attributes.peripheral || "") + " ";  // core and in passing
        if (challenge && linked.indexOf(" " + challenge + " ") === -1) return false;
        if (year && String(attributes.year || "none") !== year) return false;
        if (venue && (attributes.venue || "none") !== venue) return false;
        return true;
      }

      var colours = {};
      function readColours() {
        colours.strong = cssColour("--atlas-graph-edge-strong", "#5b6270");
        colours.muted = cssColour("--atlas-graph-muted", "#d3d6dc");
      }
      readColours();

      var renderer = new Sigma(graph, stage, {
        labelRenderedSizeThreshold: 9,
        labelColor: { color: cssColour("--md-default-fg-color", "#222") },
        // Opaque colours from the page's scheme: WebGL draws translucent edge colours wrongly (invisible
        // on a light page, glaring on a dark one).
        defaultEdgeColor: cssColour("--atlas-graph-edge", "#b4b9c3"),
        zIndex: true,
        nodeReducer: function (node, attributes) {
          var shown = Object.assign({}, attributes);
          if (state.excluded.has(node)) {
            if (attributes.nodeType === "paper") { shown.hidden = true; return shown; }
            shown.color = colours.muted;
            shown.label = "";
          }
          if (node === state.focused || node === state.hovered) { shown.highlighted = true; shown.zIndex = 2; }
          if (attributes.nodeType === "challenge") { shown.zIndex = 1; shown.forceLabel = true; }
          return shown;
        },
        edgeReducer: function (edge, attributes) {
          var shown = Object.assign({}, attributes);
          var source = graph.source(edge), target = graph.target(edge);
          if (state.excluded.has(source) || state.excluded.has(target)) shown.hidden = true;
          if (state.hovered && (source === state.hovered || target === state.hovered)) { shown.color = colours.strong; shown.size = 1; }
          return shown;
        }
      });

      // A switch between light and dark changes the page's colours: the graph takes them up.
      new MutationObserver(function () {
        readColours();
        renderer.setSetting("labelColor", { color: cssColour("--md-default-fg-color", "#222") });
        renderer.setSetting("defaultEdgeColor", cssColour("--atlas-graph-edge", "#b4b9c3"));
      }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

      // Filters are evaluated once per change; the reducers only look the answer up.
      function applyFilters() {
        state.excluded.clear();
        graph.forEachNode(function (node, attributes) { if (!matches(node, attributes)) state.excluded.add(node); });
        renderer.refresh({ skipIndexation: true });
      }

      function showTooltip(node, event) {
        var attributes = graph.getNodeAttributes(node);
        tooltip.replaceChildren();
        tooltip.appendChild(el("strong", attributes.label));
        if (attributes.nodeType === "paper") {
          graph.forEachOutEdge(node, function (edge, edgeAttributes, source, target) {
            var line = el("p", "", "atlas-graph-why");
            line.appendChild(el("span", graph.getNodeAttribute(target, "label") + " (" + edgeAttributes.kind + "): ", "atlas-meta"));
            line.appendChild(document.createTextNode(edgeAttributes.why));
            tooltip.appendChild(line);
          });
          var facts = [attributes.year, attributes.venue].filter(Boolean).join(", ");
          if (facts) tooltip.appendChild(el("p", facts, "atlas-meta"));
        } else {
          tooltip.appendChild(el("p", attributes.papers + " papers", "atlas-meta"));
        }
        var box = stage.getBoundingClientRect();
        tooltip.style.left = Math.min(event.x + 14, box.width - 320) + "px";
        tooltip.style.top = (event.y + 14) + "px";
        tooltip.hidden = false;
      }

      renderer.on("enterNode", function (event) {
        state.hovered = event.node;
        showTooltip(event.node, event.event);
        stage.style.cursor = "pointer";
        renderer.refresh({ skipIndexation: true });
      });
      renderer.on("leaveNode", function () {
        state.hovered = null;
        tooltip.hidden = true;
        stage.style.cursor = "";
        renderer.refresh({ skipIndexation: true });
      });
      renderer.on("clickNode", function (event) {
        if (state.moved) return;
        window.location.href = base + graph.getNodeAttribute(event.node, "url");
      });
      renderer.on("downNode", function (event) {
        state.dragged = event.node;
        state.moved = false;
        if (!renderer.getCustomBBox()) renderer.setCustomBBox(renderer.getBBox());
      });
      renderer.getMouseCaptor().on("mousemovebody", function (event) {
        if (!state.dragged) return;
        var position = renderer.viewportToGraph(event);
        graph.setNodeAttribute(state.dragged, "x", position.x);
        graph.setNodeAttribute(state.dragged, "y", position.y);
        state.moved = true;
        event.preventSigmaDefault();
        event.original.preventDefault();
        event.original.stopPropagation();
      });
      renderer.getMouseCaptor().on("mouseup", function () {
        state.dragged = null;
        setTimeout(function () { state.moved = false; }, 0);
      });

      function focus(node) {
        state.focused = node;
        var display = renderer.getNodeDisplayData(node);
        if (display) renderer.getCamera().animate({ x: display.x, y: display.y, ratio: 0.12 }, { duration: 400 });
        renderer.refresh({ skipIndexation: true });
        container.dataset.focused = node;
      }

      var papers = [];
      graph.forEachNode(function (node, attributes) {
        if (attributes.nodeType === "paper") papers.push([node, attributes.label, attributes.label.toLowerCase()]);
      });
      search.addEventListener("input", function () {
        var query = search.value.trim().toLowerCase();
        results.replaceChildren();
        if (query.length < 2) { results.hidden = true; return; }
        papers.filter(function (paper) { return paper[2].indexOf(query) !== -1; }).slice(0, 8).forEach(function (paper) {
          var item = el("li");
          var button = el("button", paper[1]);
          button.type = "button";
          button.addEventListener("click", function () { focus(paper[0]); });
          item.appendChild(button);
          results.appendChild(item);
        });
        if (!results.children.length) results.appendChild(el("li", "No paper title contains that text.", "atlas-meta"));
        results.hidden = false;
      });
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter") {
          var first = results.querySelector("button");
          if (first) { event.preventDefault(); first.click(); }
        }
      });
      Object.keys(filters).forEach(function (name) {
        filters[name].addEventListener("change", applyFilters);
      });
      container.querySelectorAll(".atlas-graph-legend button[data-challenge]").forEach(function (button) {
        button.addEventListener("click", function () {
          filters.challenge.value = filters.challenge.value === button.dataset.challenge ? "" : button.dataset.challenge;
          applyFilters();
        });
      });
      container.querySelector(".atlas-graph-reset").addEventListener("click", function () {
        Object.keys(filters).forEach(function (name) { filters[name].value = ""; });
        state.focused = null;
        search.value = "";
        results.hidden = true;
        renderer.getCamera().animatedReset({ duration: 300 });
        applyFilters();
      });

      new MutationObserver(function () {
        renderer.setSetting("labelColor", { color: cssColour("--md-default-fg-color", "#222") });
      }).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });

      current = { container: container, renderer: renderer, graph: graph };
      container.atlasGraph = current;
      renderer.once("afterRender", function () {
        container.dataset.ready = String(graph.order);
        window.atlasGraphReadyAt = performance.now();
      });
      applyFilters();
    }).catch(function (error) {
      var message = el("p", "The graph could not be shown (" + error.message + "); the picture below shows it without interaction.", "atlas-graph-error");
      container.insertBefore(message, container.firstChild);
      container.classList.add("atlas-graph-failed");
    });
  }

  window.AtlasGraph = { mount: mount };
})();
