/* GenAI Challenges Atlas: the papers' table (papers/), loaded by atlas.js on that page only. No dependencies. */
(function () {
  "use strict";

  // The papers' table. The page holds its first rows; every row waits in JSON chunks (data/papers-N.json,
  // see atlas/site/paper_index.py), fetched when the reader first filters, sorts or scrolls to the end,
  // and the keywords and abstracts (data/papers-text-N.json) on the first search. A result shows its
  // first PAGE_ROWS rows and grows as the reader scrolls, so a filter over 50,000 papers stays quick.
  var PAGE_ROWS = 100;
  var siteRoot = "";  // the site's root path, from atlas.js
  var FIRST_DIRECTION = { title: "", authors: "", venue: "", kind: "", year: "-", rating: "-" };

  function fetchChunks(prefix, count) {
    var requests = [];
    for (var number = 0; number < count; number++) {
      requests.push(fetch(siteRoot + "data/" + prefix + number + ".json").then(function (response) {
        if (!response.ok) throw new Error("could not load " + response.url);
        return response.json();
      }));
    }
    return Promise.all(requests).then(function (chunks) { return [].concat.apply([], chunks); });
  }

  // A typed word found where a word of the text starts ("style" finds StyleGAN; "gan" finds GANs, not "organize").
  function wordStart(term) {
    return new RegExp("(?:^|[^\\p{L}\\p{N}])" + term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"), "u");
  }

  function shortAuthors(authors) {  // as the page writes them (templating.short_authors)
    return authors.length <= 2 ? authors.join(" and ") : authors[0] + " et al.";
  }

  function download(name, type, text) {
    var link = document.createElement("a");
    link.href = URL.createObjectURL(new Blob([text], { type: type }));
    link.download = name;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(link.href); }, 10000);
  }

  function csvField(value) {  // quoted; a leading = + - @ cannot start a spreadsheet formula
    var text = String(value === null || value === undefined ? "" : value);
    if (/^[=+\-@\t\r]/.test(text)) text = "'" + text;
    return '"' + text.replace(/"/g, '""') + '"';
  }

  // One row of a chunk (its values in the order of the chunk's columns) as the table filters and draws it.
  function rowFrom(value, index, column) {
    var row = {
      index: index, id: value[column.id], title: value[column.title], parts: value[column.title_parts],
      authors: value[column.authors], authorsKey: value[column.authors_key], year: value[column.year], venue: value[column.venue] || "",
      targets: value[column.targets], kindList: value[column.kinds], rating: value[column.rating], within: {}
    };
    row.kinds = row.kindList.join(", ");
    row.family = value[column.venue_family] || row.venue;
    row.short = shortAuthors(row.authors);
    row.words = (row.title + " " + row.authors.join(" ")).toLowerCase();  // searched with the abstract, by word starts
    row.targets.forEach(function (target) { row.within[target] = true; row.within[target.split("/")[0]] = true; });
    if (!row.targets.length) row.within.none = true;  // outside the survey's challenges
    row.questions = {};
    value[column.questions].forEach(function (question) { row.questions[question] = true; });
    return row;
  }

  // The rows as CSV, in their order.
  function csvOf(rows) {
    var lines = [["id", "title", "authors", "year", "venue", "challenges", "kinds", "rating", "url"].join(",")];
    rows.forEach(function (row) {
      var url = new URL(siteRoot + "papers/" + row.id + "/", window.location.href).href;
      lines.push([row.id, row.title, row.authors.join("; "), row.year, row.venue, row.targets.join(" "), row.kinds,
        row.rating === null ? "" : row.rating.toFixed(2), url].map(csvField).join(","));
    });
    return lines.join("\r\n") + "\r\n";
  }

  // The rows' entries of the site's citations.bib (its text), in the rows' order.
  function bibtexOf(rows, bibliography) {
    var entries = {};
    bibliography.split(/\n(?=@)/).forEach(function (entry) {
      var key = /^@\w+\{([^,\s]+),/.exec(entry);
      if (key) entries[key[1]] = entry.replace(/\s+$/, "") + "\n";
    });
    var chosen = rows.map(function (row) { return entries[row.id]; }).filter(Boolean);
    return "% " + chosen.length + " papers of the GenAI Challenges Atlas, as filtered at " + window.location.href + "\n\n" + chosen.join("\n");
  }

  function mount(root) {
    siteRoot = root;
    var table = document.getElementById("atlas-papers");
    var form = document.getElementById("atlas-filters");
    if (!table || !form || !table.dataset.meta || table.dataset.ready) return;
    table.dataset.ready = "1";
    form.hidden = false;
    var meta = JSON.parse(table.dataset.meta);
    var body = table.tBodies[0];
    var more = document.getElementById("atlas-papers-more");
    var count = document.getElementById("atlas-filter-count");
    var headers = Array.prototype.slice.call(table.tHead.rows[0].cells);
    var controls = {};
    ["text", "challenge", "year", "venue", "kind", "sort"].forEach(function (name) {
      controls[name] = document.getElementById("atlas-filter-" + name);
    });
    var rows = null, texts = null, loadingRows = null, loadingTexts = null;
    var result = [], shown = 0, acted = false;
    var params = new URLSearchParams(window.location.search);
    var question = params.get("question");  // from a challenge page's "all papers addressing it"

    function loadRows() {
      if (!loadingRows) {
        var column = {};
        meta.columns.forEach(function (name, position) { column[name] = position; });
        loadingRows = fetchChunks("papers-", meta.chunks).then(function (values) {
          rows = values.map(function (value, index) { return rowFrom(value, index, column); });
        });
      }
      return loadingRows;
    }

    function loadTexts() {
      if (!loadingTexts) loadingTexts = fetchChunks("papers-text-", meta.chunks).then(function (values) { texts = values; });
      return loadingTexts;
    }

    function keeps(row, terms) {  // terms: one pattern per word the reader typed (wordStart)
      if (controls.challenge.value && !row.within[controls.challenge.value]) return false;
      if (question && !row.questions[question]) return false;
      if (controls.kind.value && row.kindList.indexOf(controls.kind.value) === -1) return false;
      var year = controls.year.value;
      if (year && (year === "none" ? row.year !== null : String(row.year) !== year)) return false;
      var venue = controls.venue.value;
      if (venue && (venue === "none" ? row.venue !== "" : row.venue !== venue && row.family !== venue)) return false;
      for (var i = 0; i < terms.length; i++) {
        if (!terms[i].test(row.words) && !terms[i].test(texts[row.index])) return false;
      }
      return true;
    }

    var VALUE = {
      authors: function (row) { return row.authorsKey; }, venue: function (row) { return row.venue; },
      kind: function (row) { return row.kinds; }, year: function (row) { return row.year; },
      rating: function (row) { return row.rating; }
    };

    function compare(key, descending) {
      if (key === "title") return function (a, b) { return descending ? b.index - a.index : a.index - b.index; };
      var value = VALUE[key];
      return function (a, b) {
        var x = value(a), y = value(b);
        var blankX = x === null || x === "", blankY = y === null || y === "";
        if (blankX || blankY) return blankX === blankY ? a.index - b.index : (blankX ? 1 : -1);  // blanks last, either way
        var result = typeof x === "number" ? x - y : key === "authors" ? (x < y ? -1 : x > y ? 1 : 0) : x.localeCompare(y);
        return (descending ? -result : result) || a.index - b.index;
      };
    }

    function sortState() {
      var value = controls.sort.value || "title";
      return { key: value.replace(/^-/, ""), descending: value.charAt(0) === "-" };
    }

    function showSortIndicator() {
      var state = sortState();
      headers.forEach(function (header) {
        if (header.dataset.sort === state.key) header.setAttribute("aria-sort", state.descending ? "descending" : "ascending");
        else header.removeAttribute("aria-sort");
      });
    }

    function chip(target) {
      var label = meta.labels[target] || [target, target, ""];
      var link = document.createElement("a");
      link.className = "atlas-chip";
      link.href = siteRoot + label[2];
      link.title = label[1];
      link.textContent = label[0];
      return link;
    }

    // A title's math is built element by element from the allowed MathML names, its texts as text:
    // nothing a contributor wrote is parsed as markup.
    var MATHML = "http://www.w3.org/1998/Math/MathML";
    var MATH_ELEMENTS = /^(math|mrow|mi|mn|mo|ms|mtext|mspace|msup|msub|msubsup|mfrac|msqrt|mroot|mover|munder|munderover|mstyle|mtable|mtr|mtd|mpadded|mphantom|menclose|merror)$/;
    var MATH_ATTRIBUTES = /^(display|displaystyle|scriptlevel|mathvariant|stretchy|fence|form|accent|accentunder|lspace|rspace|separator|linethickness|width|height|depth|columnalign|rowspacing|columnspacing|mathsize|minsize|maxsize|largeop|movablelimits|symmetric|notation)$/;
    function mathNode(node) {
      if (typeof node === "string") return document.createTextNode(node);
      if (!MATH_ELEMENTS.test(node[0])) return document.createTextNode("");
      var element = document.createElementNS(MATHML, node[0]);
      Object.keys(node[1]).forEach(function (name) { if (MATH_ATTRIBUTES.test(name)) element.setAttribute(name, node[1][name]); });
      node.slice(2).forEach(function (child) { element.appendChild(mathNode(child)); });
      return element;
    }
    function titlePart(part) {
      if (typeof part === "string") return document.createTextNode(part);
      var span = document.createElement("span");
      span.className = "atlas-math";
      span.title = part.tex;
      if (part.math) span.appendChild(mathNode(part.math)); else span.textContent = part.text;
      return span;
    }

    function rowElement(row) {
      var tr = document.createElement("tr");
      tr.dataset.id = row.id;
      function cell(name, text) {
        var td = tr.insertCell();
        td.className = "atlas-col-" + name;
        if (text) td.textContent = text;
        return td;
      }
      var link = document.createElement("a");
      link.href = siteRoot + "papers/" + row.id + "/";
      if (row.parts) row.parts.forEach(function (part) { link.appendChild(titlePart(part)); }); else link.textContent = row.title;
      cell("title").appendChild(link);
      var authors = cell("authors", row.short);
      if (row.authors.length > 2) authors.title = row.authors.join(", ");
      cell("year", row.year === null ? "" : String(row.year));
      cell("venue", row.venue);
      var chips = cell("challenges");
      row.targets.forEach(function (target) { chips.appendChild(chip(target)); });
      cell("kind", row.kinds);
      cell("rating", row.rating === null ? "" : row.rating.toFixed(2));
      return tr;
    }

    function describeMore() {
      more.textContent = "";
      if (shown >= result.length) {
        more.textContent = result.length ? "End of the list." : "No paper matches these filters.";
        return;
      }
      more.appendChild(document.createTextNode("Showing " + shown + " of " + result.length + ". "));
      var button = document.createElement("button");
      button.type = "button";
      button.className = "md-button atlas-show-more";
      button.textContent = "Show " + Math.min(PAGE_ROWS, result.length - shown) + " more";
      button.addEventListener("click", showMore);
      more.appendChild(button);
    }

    function showMore() {
      var next = Math.min(result.length, shown + PAGE_ROWS);
      var fragment = document.createDocumentFragment();
      for (var i = shown; i < next; i++) fragment.appendChild(rowElement(result[i]));
      body.appendChild(fragment);
      shown = next;
      describeMore();
    }

    function writeAddress() {
      var query = new URLSearchParams();
      Object.keys(controls).forEach(function (name) {
        var value = controls[name].value;
        if (value && !(name === "sort" && value === "title")) query.set(name, name === "text" ? value.trim() : value);
      });
      if (question) query.set("question", question);
      var search = query.toString();
      window.history.replaceState(null, "", search ? "?" + search : window.location.pathname);
    }

    // Filter and sort every row, then show the first ones. Waits for the chunks it needs.
    function apply() {
      acted = true;
      writeAddress();
      showSortIndicator();
      var terms = controls.text.value.toLowerCase().split(/\s+/).filter(Boolean).map(wordStart);
      var needed = [loadRows()];
      if (terms.length) needed.push(loadTexts());
      if (!rows || (terms.length && !texts)) count.textContent = terms.length ? "Searching…" : "Loading…";
      return Promise.all(needed).then(function () {
        var state = sortState();
        result = rows.filter(function (row) { return keeps(row, terms); });
        if (state.key !== "title" || state.descending) result.sort(compare(state.key, state.descending));
        count.textContent = result.length + " of " + rows.length + " papers" +
          (question ? " taking up the question “" + (meta.questions[question] || question) + "”" : "");
        body.textContent = "";
        shown = 0;
        showMore();
      }, function (error) {
        count.textContent = "The full list could not be loaded (" + error.message + ").";
      });
    }

    Object.keys(controls).forEach(function (name) {
      if (params.has(name)) controls[name].value = params.get(name);
      controls[name].addEventListener(name === "text" ? "input" : "change", apply);
    });
    if (!controls.sort.value) controls.sort.value = "title";
    form.addEventListener("submit", function (event) { event.preventDefault(); });
    form.addEventListener("reset", function () { setTimeout(function () { controls.sort.value = "title"; question = null; apply(); }, 0); });
    headers.forEach(function (header) {
      var key = header.dataset.sort;
      if (!key) return;
      header.tabIndex = 0;
      function sortBy() {
        var state = sortState();
        var descending = state.key === key ? !state.descending : FIRST_DIRECTION[key] === "-";
        controls.sort.value = (descending ? "-" : "") + key;
        apply();
      }
      header.addEventListener("click", sortBy);
      header.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(); }
      });
    });

    document.getElementById("atlas-download-csv").addEventListener("click", function () {
      apply().then(function () { download("atlas-papers.csv", "text/csv;charset=utf-8", csvOf(result)); });
    });
    document.getElementById("atlas-download-bib").addEventListener("click", function () {
      var bibliography = fetch(siteRoot + "citations.bib").then(function (response) { return response.text(); });
      Promise.all([apply(), bibliography]).then(function (loaded) {
        download("atlas-papers.bib", "application/x-bibtex;charset=utf-8", bibtexOf(result, loaded[1]));
      });
    });

    // Scrolling near the end of the list shows more (the first time, it fetches the whole list).
    if ("IntersectionObserver" in window) {
      var near = function () { return more.getBoundingClientRect().top < window.innerHeight + 600; };
      new IntersectionObserver(function (seen) {
        if (!seen[0].isIntersecting) return;
        if (!acted) apply().then(function () { if (near() && shown < result.length) showMore(); });
        else if (shown < result.length) showMore();
      }, { rootMargin: "600px 0px" }).observe(more);
    }
    var filtered = question || Object.keys(controls).some(function (name) { return params.has(name); });
    if (filtered) apply(); else count.textContent = meta.total + " papers";
  }

  window.AtlasPapers = { mount: mount };
})();
