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
    var frame = container.querySelector(".atlas-graph-stage");
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
      var state = { hovered: null, focused: null, dragged: null, moved: false, downAt: null, tapped: null, excluded: new Set() };

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
        colours.background = cssColour("--md-default-bg-color", "#fff");
      }
      readColours();

      // Labels: sigma asks for them one by one; they are drawn once it has asked for all, challenges
      // first, then sub-challenges, then papers (larger first), each where it overlaps no label already
      // drawn and no challenge's circle and fits inside the canvas. Long challenge and sub-challenge
      // names take two lines.
      var RANK = { challenge: 0, subchallenge: 1, paper: 2 };
      var asked = [];
      var drawnLabels = [];
      var askedNodes = new Set();  // sigma may ask twice for a node whose label is forced
      function askLabel(context, data, settings) {
        if (askedNodes.has(data.key)) return;
        askedNodes.add(data.key);
        asked.push({ context: context, data: data, settings: settings });
      }
      function lines(text, nodeType) {
        if (nodeType === "paper" || text.length <= 26) return [text];
        var words = text.split(" "), first = "";
        while (words.length > 1 && (first + " " + words[0]).trim().length <= Math.max(16, text.length / 2)) first = (first + " " + words.shift()).trim();
        return [first, words.join(" ")];
      }
      function overlaps(box, others) {
        return others.some(function (other) {
          return box.left < other.right && other.left < box.right && box.top < other.bottom && other.top < box.bottom;
        });
      }
      // Where a label may go: right of its node, left of it, below it, above it; the first that fits.
      function placements(data, width, tall) {
        var gap = data.size + 3;
        return [
          { left: data.x + gap, top: data.y - tall / 2 },
          { left: data.x - gap - width, top: data.y - tall / 2 },
          { left: data.x - width / 2, top: data.y + gap },
          { left: data.x - width / 2, top: data.y - gap - tall }
        ].map(function (box) { box.right = box.left + width; box.bottom = box.top + tall; return box; });
      }
      function drawLabels() {
        drawnLabels = [];
        var circles = [];  // no label covers a challenge's circle
        asked.forEach(function (item) {
          var data = item.data;
          if (data.nodeType === "challenge") circles.push({ left: data.x - data.size, right: data.x + data.size, top: data.y - data.size, bottom: data.y + data.size, node: data.key });
        });
        asked.sort(function (a, b) {
          return (RANK[a.data.nodeType] - RANK[b.data.nodeType]) || (b.data.size - a.data.size);
        });
        asked.forEach(function (item) {
          var data = item.data, settings = item.settings, context = item.context;
          if (!data.label) return;
          var size = settings.labelSize, height = size * 1.2;
          context.font = settings.labelWeight + " " + size + "px " + settings.labelFont;
          var text = lines(data.label, data.nodeType);
          var width = Math.max.apply(null, text.map(function (line) { return context.measureText(line).width; }));
          var obstacles = drawnLabels.concat(circles.filter(function (circle) { return circle.node !== data.key; }));
          var box = placements(data, width, text.length * height).find(function (candidate) {
            return candidate.left >= 0 && candidate.top >= 0 && candidate.right <= stage.clientWidth &&
              candidate.bottom <= stage.clientHeight && !overlaps(candidate, obstacles);
          });
          if (!box) return;  // no room: the legend and the tooltip still name it
          drawnLabels.push({ left: box.left, top: box.top, right: box.right, bottom: box.bottom, node: data.key, nodeType: data.nodeType });
          context.textAlign = "left";
          context.lineWidth = 3;  // a halo in the page's background keeps the text legible over edges and nodes
          context.lineJoin = "round";
          context.strokeStyle = colours.background;
          context.fillStyle = settings.labelColor.color;
          text.forEach(function (line, index) {
            context.strokeText(line, box.left, box.top + index * height + size * 0.95);
            context.fillText(line, box.left, box.top + index * height + size * 0.95);
          });
        });
        asked = [];
        askedNodes.clear();
      }

      var renderer = new Sigma(graph, stage, {
        defaultDrawNodeLabel: askLabel,
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
          if (attributes.nodeType !== "paper") shown.forceLabel = true;  // where it has room
          shown.zIndex = attributes.nodeType === "paper" ? 1 : 0;  // a paper over a disc: what is seen answers
          if (node === state.focused || node === state.hovered) { shown.highlighted = true; shown.zIndex = 2; }
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

      renderer.on("afterRender", drawLabels);

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

      // A filter the reader sets zooms to what it keeps (all of it when it keeps everything).
      function zoomToKept() {
        var camera = renderer.getCamera();
        var minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
        graph.forEachNode(function (node) {
          if (state.excluded.has(node)) return;
          var shown = renderer.getNodeDisplayData(node);  // in the camera's (framed) coordinates
          if (!shown) return;
          minX = Math.min(minX, shown.x); maxX = Math.max(maxX, shown.x);
          minY = Math.min(minY, shown.y); maxY = Math.max(maxY, shown.y);
        });
        if (!state.excluded.size || minX === Infinity) { camera.animatedReset({ duration: 400 }); return; }
        var ratio = Math.min(1, Math.max(0.08, 1.25 * Math.max(maxX - minX, maxY - minY)));
        camera.animate({ x: (minX + maxX) / 2, y: (minY + maxY) / 2, ratio: ratio }, { duration: 400 });
      }

      function filtered() {
        applyFilters();
        zoomToKept();
      }

      function showTooltip(node, point) {
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
          tooltip.appendChild(el("p", attributes.papers + (attributes.papers === 1 ? " paper" : " papers"), "atlas-meta"));
        }
        var box = stage.getBoundingClientRect();
        tooltip.style.left = Math.max(0, Math.min(point.x + 14, box.width - 320)) + "px";
        tooltip.style.top = (point.y + 14) + "px";
        tooltip.hidden = false;
      }

      // Which node answers the pointer: of the nodes whose disc holds the point, the one whose centre is
      // nearest, so that a small paper drawn beside or over another still answers at its own centre.
      function nodeAt(point, slack) {
        var found = null, nearest = Infinity;
        graph.forEachNode(function (node) {
          var shown = renderer.getNodeDisplayData(node);
          if (!shown || shown.hidden) return;
          var centre = renderer.framedGraphToViewport(shown);
          var distance = Math.hypot(centre.x - point.x, centre.y - point.y);
          if (distance <= renderer.scaleSize(shown.size) + slack && distance < nearest) { nearest = distance; found = node; }
        });
        return found;
      }
      function pointIn(event) {
        var box = stage.getBoundingClientRect();
        return { x: event.clientX - box.left, y: event.clientY - box.top };
      }
      function hover(node, point) {
        if (node === state.hovered) return;
        state.hovered = node;
        stage.style.cursor = node ? "pointer" : "";
        if (node) showTooltip(node, point); else tooltip.hidden = true;
        renderer.refresh({ skipIndexation: true });
      }
      function open(node) {
        window.location.href = base + graph.getNodeAttribute(node, "url");
      }

      // Pointer events, for their coordinates to a fraction of a pixel: nodes may stand closer than one.
      stage.addEventListener("pointermove", function (event) {
        if (event.pointerType === "mouse" && !state.dragged) hover(nodeAt(pointIn(event), 0), pointIn(event));
      });
      stage.addEventListener("pointerleave", function (event) { if (event.pointerType === "mouse" && !state.dragged) hover(null); });
      stage.addEventListener("mousedown", function (event) {
        if (event.button !== 0) return;
        state.downAt = pointIn(event);
        state.dragged = nodeAt(state.downAt, 0);
        state.moved = false;
        if (state.dragged && !renderer.getCustomBBox()) renderer.setCustomBBox(renderer.getBBox());
      });
      stage.addEventListener("click", function (event) {
        var point = pointIn(event), down = state.downAt || point;
        if (state.moved || Math.hypot(point.x - down.x, point.y - down.y) > 4) return;  // a drag or a pan, not a click
        var node = nodeAt(point, 0);
        if (node) open(node);
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
      document.addEventListener("mouseup", function () {
        state.dragged = null;
        setTimeout(function () { state.moved = false; }, 0);
      });

      // The wheel and a one-finger swipe scroll the page until the reader engages the graph (a click, a tap,
      // or the keyboard's focus on it); then they zoom and move the graph, until the focus leaves it. Till
      // then the renderer hears of neither, and its surface lets the browser scroll (sigma makes it take
      // every touch: touch-action none).
      var engaged = false;
      var surface = renderer.getCanvases().mouse;
      function setEngaged(value) {
        engaged = value;
        surface.style.touchAction = value ? "none" : "auto";
      }
      function engage() {
        setEngaged(true);
        if (document.activeElement !== stage) stage.focus({ preventScroll: true });
      }
      setEngaged(false);
      stage.addEventListener("mousedown", engage);
      stage.addEventListener("focus", function () { setEngaged(true); });
      stage.addEventListener("blur", function () { setEngaged(false); });
      frame.addEventListener("wheel", function (event) { if (!engaged) event.stopPropagation(); }, { capture: true, passive: true });

      // On a touch screen a tap shows a node's tooltip (its why), a second tap on it opens its page, and a
      // tap elsewhere closes the tooltip. A finger that moves is a swipe, not a tap.
      var touchStart = null;
      frame.addEventListener("touchstart", function (event) {
        touchStart = event.touches.length === 1 ? pointIn(event.touches[0]) : null;
        if (!engaged) event.stopPropagation();
      }, { capture: true, passive: true });
      frame.addEventListener("touchend", function (event) {
        var point = event.changedTouches.length === 1 ? pointIn(event.changedTouches[0]) : null;
        if (!touchStart || !point || Math.hypot(point.x - touchStart.x, point.y - touchStart.y) > 10) return;
        event.preventDefault();  // no emulated mouse events after a tap
        engage();
        var node = nodeAt(point, 6);
        if (node && node === state.tapped) { open(node); return; }
        state.tapped = node;
        state.hovered = null;
        hover(node, point);
      }, { capture: true });

      // Taps answer as above, not with sigma's double-tap zoom (two fingers zoom).
      ["doubleClickNode", "doubleClickStage"].forEach(function (type) {
        renderer.on(type, function (payload) {
          if ((payload.event.original.type || "").indexOf("touch") === 0) payload.event.preventSigmaDefault();
        });
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
        filters[name].addEventListener("change", filtered);
      });
      container.querySelectorAll(".atlas-graph-legend button[data-challenge]").forEach(function (button) {
        button.addEventListener("click", function () {
          filters.challenge.value = filters.challenge.value === button.dataset.challenge ? "" : button.dataset.challenge;
          filtered();
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

      current = { container: container, renderer: renderer, graph: graph, labels: function () { return drawnLabels; } };
      container.atlasGraph = current;
      renderer.once("afterRender", function () {
        container.dataset.ready = String(graph.order);
        container.classList.add("atlas-graph-live");
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
