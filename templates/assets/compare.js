/* The compare picker: two hardware choices (a combo or a build-your-own key) and a model, side
   by side from the engine's tables: a combo's precomputed ../api/estimates/<key>.json (the
   configurator's, without its details file; over HTTP: browsers forbid fetch on file://, and the page says so), a
   build-your-own one worked out by the engine in the browser (SiteKit.table). No figure is
   computed here: the script picks rows of the tables and formats their numbers as configure.js
   does.
   The address carries ?a=<key>&b=<key>&model=<slug>; a shared address restores that choice, or
   says which value this site does not know. */
(function () {
  "use strict";
  var fmt = window.SiteKit.fmt, text = window.SiteKit.text;
  var form = document.getElementById("compare-form");
  var out = document.getElementById("compare-result");
  if (!form || !out) { return; }
  var SIDES = ["a", "b"];
  var RUNS = ["fits", "tight", "offload"];
  var IN_VRAM = ["fits", "tight"];
  var asked = null;  /* the shared address's values this site does not know, until shown */
  var latest = 0;
  var context = Number(form.dataset.context);
  var words = JSON.parse(form.dataset.verdicts || "{}");
  var runtimes = JSON.parse(form.dataset.runtimes || "{}");
  var splits = JSON.parse(form.dataset.splits || "{}");
  var belowFloor = JSON.parse(form.dataset.belowFloor || "{}");

  function field(name) { return form.elements[name]; }

  /* Hardware B offers Hardware A's choices: the page sends the list once (it grows with the
     catalog's combos). */
  field("b").innerHTML = field("a").innerHTML;

  function load(key) { return window.SiteKit.table(form.dataset.api, key, form.dataset.engine); }



  /* The same rule as configure.js (and Python's format on the pages). */

  function withUnit(value, unit) { return value === "—" ? value : value + " " + unit; }

  function optionLabel(select, value) {
    var found = Array.prototype.filter.call(select.options, function (o) { return o.value === value; })[0];
    return found ? found.textContent : value;
  }

  /* --- Choosing ------------------------------------------------------------------------- */

  function known(name, value) {
    if (SIDES.indexOf(name) >= 0) { return window.SelectFilter.has(field(name), value); }  /* filtered lists */
    return Array.prototype.some.call(field(name).options, function (o) { return o.value === value; });
  }

  function preset() {
    var params = new URLSearchParams(location.search);
    var defaults = { a: form.dataset.defaultA, b: form.dataset.defaultB, model: form.dataset.defaultModel };
    var unknown = [];
    ["a", "b", "model"].forEach(function (name) {
      var value = params.get(name);
      if (value !== null && value !== "" && !known(name, value)) {
        unknown.push({ name: name, value: value });
        value = null;
      }
      value = value || defaults[name];
      if (value && known(name, value)) { field(name).value = value; }
    });
    asked = unknown.length ? unknown : null;
  }

  function write() {
    var params = new URLSearchParams();
    ["a", "b", "model"].forEach(function (name) { params.set(name, field(name).value); });
    if (history.replaceState) { history.replaceState(null, "", "?" + params.toString() + location.hash); }
  }

  /* --- Reading the tables --------------------------------------------------------------- */

  function getter(table, row) { return function (name) { return row[table.index[name]]; }; }

  /* Rows of ``model`` at the headline context on the runtime's default split (a table also
     holds recommended setups on other splits and at other contexts). */
  function standard(table, model) {
    return table.rows.filter(function (row) {
      var get = getter(table, row);
      var split = get("split");
      return get("model") === model && get("context") === context &&
        (split === "none" || split === splits[get("runtime")]);
    });
  }

  /* One side's row for ``quant``: its fastest runtime, in VRAM first, then with offload. */
  function fastestAt(table, rows, quant) {
    var best = null;
    [IN_VRAM, ["offload"]].forEach(function (verdicts) {
      if (best) { return; }
      rows.forEach(function (row) {
        var get = getter(table, row);
        if (get("quant") !== quant || verdicts.indexOf(get("verdict")) < 0) { return; }
        if (!best || (get("decode_tok_s") || 0) > (best[table.index.decode_tok_s] || 0)) { best = row; }
      });
    });
    return best;
  }

  function quantsOf(table, rows) {
    var found = {};
    rows.forEach(function (row) {
      var get = getter(table, row);
      if (RUNS.indexOf(get("verdict")) >= 0) { found[get("quant")] = get("bits_per_weight"); }
    });
    return found;
  }

  function recommended(table, model) {
    var d = table.defaults[model];
    if (!d) { return null; }
    var row = table.rows.filter(function (r) {
      var get = getter(table, r);
      return get("model") === model && get("runtime") === d.runtime && get("quant") === d.quant &&
        get("split") === d.split && get("context") === context;
    })[0];
    return row ? { row: row, evidence: d.evidence } : null;
  }

  /* --- Showing -------------------------------------------------------------------------- */

  function update() {
    var token = ++latest;
    var keys = [field("a").value, field("b").value];
    var model = field("model").value;
    if (keys.some(window.SiteKit.isBuild)) {
      clear();
      out.appendChild(text("p", "Working out the build-your-own hardware's table with the engine in your browser…", "configurator-status"));
    }
    Promise.all(keys.map(load)).then(function (tables) {
      if (token !== latest) { return; }
      render(tables, model);
      write();
    }).catch(function (error) {
      if (token !== latest) { return; }
      clear();
      var why = location.protocol === "file:" ?
        "Your browser does not load data into a page opened from disk: serve the site over HTTP (python3 -m http.server -d site 8000) or open the pairs of combos below." :
        "Could not load the engine's results: " + error.message;
      out.appendChild(text("p", why));
    });
  }

  function clear() { while (out.firstChild) { out.removeChild(out.firstChild); } }

  function explain() {
    if (!asked) { return; }
    var names = { a: "hardware A", b: "hardware B", model: "model" };
    var parts = asked.map(function (item) {
      return names[item.name] + " “" + item.value + "”, which this site does not know; showing " +
        optionLabel(field(item.name), field(item.name).value) + " instead";
    });
    var note = text("p", "The link asks for " + parts.join("; and for ") + ".", "configurator-note");
    note.setAttribute("data-testid", "preset-note");
    out.appendChild(note);
    asked = null;
  }

  function sideName(side) {
    var option = field(side).selectedOptions[0];
    return side.toUpperCase() + " · " + (option ? option.dataset.short || option.textContent : field(side).value);
  }

  function verdictBadge(verdict) {
    var badge = text("span", words[verdict] || verdict, "verdict verdict-" + verdict);
    badge.setAttribute("data-verdict", verdict);
    return badge;
  }

  function setupCell(get, withQuant) {
    var cell = document.createElement("td");
    cell.appendChild(verdictBadge(get("verdict")));
    var split = get("split") === "none" ? "" : ", " + get("split") + " split";
    var quant = withQuant ? get("quant") + " on " : "";
    cell.appendChild(document.createTextNode(" " + quant + (runtimes[get("runtime")] || get("runtime")) + split));
    if ((belowFloor[get("model")] || []).indexOf(get("quant")) >= 0) {  /* as the static pages flag it */
      var warn = text("span", form.dataset.floorNote, "warn");
      warn.title = form.dataset.floorTitle;
      warn.setAttribute("data-testid", "floor");
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(warn);
    }
    return cell;
  }

  /* Decode as the pages show it (SiteKit.decodeShown): value, the engine's range, the evidence
     label. */
  function decodeCell(found) {
    var value = found.value, label = found.label, range = found.range;
    var cell = document.createElement("td");
    cell.setAttribute("data-figure", "decode");
    var shown = text("span", withUnit(fmt(value), "tok/s"));
    shown.setAttribute("data-testid", "decode");
    cell.appendChild(shown);
    if (value !== null && value !== undefined) {
      if (range) {
        cell.appendChild(document.createTextNode(" "));
        cell.appendChild(text("span", "(" + range + ")", "ev-range"));
      }
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(text("span", label, "ev ev-" + label));
    }
    return cell;
  }

  function figureCell(name, value) {
    var cell = text("td", value);
    cell.setAttribute("data-figure", name);
    return cell;
  }

  /* A figure flagged as the static compare pages flag it: "uncalibrated" where it is. */
  function labelledCell(name, value, table, get, metric) {
    var cell = figureCell(name, value), raw = get(metric);
    if (raw !== null && raw !== undefined &&
        window.SiteKit.label(table, get("calibrated"), metric) === "uncalibrated") {
      cell.appendChild(document.createTextNode(" "));
      cell.appendChild(text("span", "uncalibrated", "ev ev-uncalibrated"));
    }
    return cell;
  }

  function sideRow(side, table, row, evidence, withQuant) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-side", side);
    tr.appendChild(text("td", sideName(side), "model"));
    var get = getter(table, row);
    tr.appendChild(setupCell(get, withQuant));
    /* the recommended row's evidence, or another setup of a model measured here */
    var found = window.SiteKit.decodeShown(get, evidence, evidence ? null : table.defaults[get("model")]);
    tr.appendChild(decodeCell(found));
    tr.appendChild(labelledCell("prefill", withUnit(fmt(get("prefill_tok_s")), "tok/s"), table, get, "prefill_tok_s"));
    var ttft = get("ttft_ms");
    tr.appendChild(labelledCell("ttft", withUnit(fmt(ttft, Math.abs(ttft) < 10 ? 1 : 0), "ms"), table, get, "ttft_ms"));
    tr.appendChild(figureCell("max_context", withUnit(get("max_context") ? fmt(get("max_context"), 0) : "—", "tokens")));
    tr.appendChild(figureCell("power", withUnit(fmt(get("power_w"), 0), "W")));
    tr.appendChild(figureCell("energy", withUnit(fmt(found.joules, 2), "J")));
    tr.appendChild(figureCell("price", table.price ? table.price.text : "—"));
    tr.appendChild(figureCell("usd_per_tok_s", window.SiteKit.usd(window.SiteKit.perTokS(table.price, found.value))));
    return tr;
  }

  function emptyRow(side, why) {
    var tr = document.createElement("tr");
    tr.setAttribute("data-side", side);
    tr.appendChild(text("td", sideName(side), "model"));
    var cell = text("td", why);
    cell.colSpan = HEADS.length - 1;
    tr.appendChild(cell);
    return tr;
  }

  var HEADS = ["Hardware", "Setup", "Decode", "Prefill", "Time to first token", "Largest context", "GPU power", "Energy per token", "Price", "Price per decode tok/s"];

  function group(title, quant) {
    var body = document.createElement("tbody");
    if (quant) { body.setAttribute("data-quant", quant); }
    var tr = document.createElement("tr");
    var th = text("th", title);
    th.colSpan = HEADS.length;
    th.scope = "rowgroup";
    tr.appendChild(th);
    body.appendChild(tr);
    return body;
  }

  function render(tables, model) {
    clear();
    explain();
    var rows = tables.map(function (table) { return standard(table, model); });
    var quants = tables.map(function (table, i) { return quantsOf(table, rows[i]); });
    var shared = Object.keys(quants[0]).filter(function (q) { return q in quants[1]; });
    shared.sort(function (x, y) { return quants[0][y] - quants[0][x] || (x < y ? -1 : 1); });

    var table = document.createElement("table");
    table.className = "compare-models compare-picked pinned";
    var head = document.createElement("thead");
    var headRow = document.createElement("tr");
    HEADS.forEach(function (label) { headRow.appendChild(text("th", label)); });
    head.appendChild(headRow);
    table.appendChild(head);

    /* The answer first (each side's recommended setup), then the same quant on both. */
    var body = group("Recommended setup: the engine's pick for this model on each side", "");
    body.setAttribute("data-recommended", "");
    SIDES.forEach(function (side, i) {
      var pick = recommended(tables[i], model);
      body.appendChild(pick ? sideRow(side, tables[i], pick.row, pick.evidence, true) :
        emptyRow(side, "No runtime on this hardware runs this model."));
    });
    table.appendChild(body);

    shared.forEach(function (quant) {
      var body = group("Both at " + quant + " (" + fmt(quants[0][quant], 2) + " bits per weight), each on its fastest runtime", quant);
      SIDES.forEach(function (side, i) {
        body.appendChild(sideRow(side, tables[i], fastestAt(tables[i], rows[i], quant), null, false));
      });
      table.appendChild(body);
    });

    var summary = "A: " + optionLabel(field("a"), field("a").value) + " · B: " + optionLabel(field("b"), field("b").value) +
      " · " + optionLabel(field("model"), model) + ", " + fmt(context, 0) + " tokens of context, one user." +
      (shared.length ? "" : " No quant runs on both, so only the recommended setups are compared.");
    var lead = text("p", summary);
    lead.setAttribute("data-testid", "summary");
    out.appendChild(lead);
    var wrap = text("div", "", "md-typeset__scrollwrap");
    var inner = text("div", "", "md-typeset__table");
    inner.appendChild(table);
    wrap.appendChild(inner);
    out.appendChild(wrap);

    /* Quants one side runs and the other's table has no running result for: on a combo that
       means it does not run; a build-your-own table holds each runtime's recommended quant only. */
    var only = SIDES.map(function (side, i) {
      var mine = Object.keys(quants[i]).filter(function (q) { return !(q in quants[1 - i]); });
      if (!mine.length) { return ""; }
      mine.sort(function (x, y) { return quants[i][y] - quants[i][x] || (x < y ? -1 : 1); });
      var other = SIDES[1 - i].toUpperCase();
      var build = field(SIDES[1 - i]).value.indexOf(form.dataset.buildPrefix) === 0;
      return side.toUpperCase() + " runs " + mine.join(", ") + ", which " + other +
        (build ? "'s table, a build-your-own one, may not hold: it has only the recommended quant of each runtime." :
          " does not (at this context, on each runtime's default split).");
    }).filter(Boolean);
    if (only.length) { out.appendChild(text("p", only.join(" "), "configurator-note")); }
  }

  /* --- Wiring --------------------------------------------------------------------------- */

  SIDES.forEach(function (side) {
    window.SelectFilter.attach(field(side), form.querySelector("[data-filter='" + side + "']"), update);
  });
  form.addEventListener("change", function (event) { if (event.target.tagName === "SELECT") { update(); } });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  preset();
  update();
})();
