/* The configurator: shows the engine's precomputed result for the chosen combo, model,
   runtime, quant and context. Data: ../api/estimates/<combo>.json, the API's own table
   (over HTTP: browsers forbid fetch on file://, and the page says so). */
(function () {
  "use strict";
  var fmt = window.SiteKit.fmt, text = window.SiteKit.text;
  var form = document.getElementById("configurator-form");
  var out = document.getElementById("configurator-result");
  if (!form || !out) { return; }
  var cache = {};
  var SEGMENTS = [["weights", 2, "Weights"], ["kv", 3, "KV cache"], ["buffers", 4, "Buffers"], ["overhead", 5, "Reserve"]];

  function field(name) { return form.elements[name]; }

  function load(combo) {
    if (cache[combo]) { return Promise.resolve(cache[combo]); }
    var url = form.dataset.api + encodeURIComponent(combo) + ".json";
    return fetch(url).then(function (r) { if (!r.ok) { throw new Error(r.status); } return r.json(); }).then(function (data) {
      var index = {};
      data.fields.forEach(function (name, i) { index[name] = i; });
      cache[combo] = { rows: data.rows, index: index, defaults: data.defaults || {}, names: data.gpu_names || {} };
      return cache[combo];
    });
  }

  function rowsWhere(table, test) {
    return table.rows.filter(function (row) { return test(function (name) { return row[table.index[name]]; }); });
  }

  function restrict(select, allowed) {
    var first = null;
    Array.prototype.forEach.call(select.options, function (option) {
      option.disabled = allowed.indexOf(option.value) < 0;
      if (!option.disabled && first === null) { first = option.value; }
    });
    if (allowed.indexOf(select.value) < 0 && first !== null) { select.value = first; }
  }

  function unique(rows, table, name) {
    var seen = [];
    rows.forEach(function (row) {
      var value = String(row[table.index[name]]);
      if (seen.indexOf(value) < 0) { seen.push(value); }
    });
    return seen;
  }

  /* The engine's recommendation (site-builder recommend), precomputed per model: choosing a
     hardware or model selects it; choosing a runtime selects that runtime's own pick. */
  function choose(table, model) {
    var d = table.defaults[model];
    if (!d) { return; }
    field("runtime").value = d.runtime;
    field("quant").value = d.quant;
    field("split").value = d.split;
    field("context").value = form.dataset.defaultContext;
  }

  function chooseForRuntime(table, model) {
    var d = table.defaults[model];
    var pair = d && d.per_runtime[field("runtime").value];
    if (pair) {
      field("quant").value = pair[0];
      field("split").value = pair[1];
    }
  }

  function isDefault(table, model) {
    var d = table.defaults[model];
    return d && d.runtime === field("runtime").value && d.quant === field("quant").value &&
      d.split === field("split").value && field("context").value === form.dataset.defaultContext ? d : null;
  }

  function update(event) {
    var combo = field("combo").value;
    var target = event && event.target ? event.target.name : "";
    load(combo).then(function (table) {
      var model = field("model").value;
      var forModel = rowsWhere(table, function (get) { return get("model") === model; });
      if (target === "combo" || target === "model" || pickFirst) {
        pickFirst = false;
        choose(table, model);
      } else if (target === "runtime") {
        chooseForRuntime(table, model);
      }
      restrict(field("runtime"), unique(forModel, table, "runtime"));
      var forRuntime = forModel.filter(function (row) { return row[table.index.runtime] === field("runtime").value; });
      restrict(field("quant"), unique(forRuntime, table, "quant"));
      var forQuant = forRuntime.filter(function (row) { return row[table.index.quant] === field("quant").value; });
      restrict(field("context"), unique(forQuant, table, "context"));
      var forContext = forQuant.filter(function (r) { return String(r[table.index.context]) === field("context").value; });
      restrict(field("split"), unique(forContext, table, "split"));
      var row = forContext.filter(function (r) { return r[table.index.split] === field("split").value; })[0];
      render(row, table, isDefault(table, model));
      explainPreset();
      remember();
    }).catch(function (error) {
      out.innerHTML = "";
      var why = location.protocol === "file:" ?
        "Your browser does not load data into a page opened from disk: serve the site over HTTP (python3 -m http.server -d site 8000) or read the tables on the combo pages." :
        "Could not load the engine's results: " + error.message;
      out.appendChild(text("p", why));
    });
  }



  function figure(label, value, unit, note) {
    var box = text("div", "", "figure");
    box.appendChild(text("b", value + (unit && value !== "—" ? " " + unit : "")));
    box.appendChild(text("span", label + (note ? " · " + note : "")));
    return box;
  }

  function render(row, table, recommended) {
    out.innerHTML = "";
    if (!row) {
      out.appendChild(text("p", "The engine has no result for this choice: no runtime rated for this hardware loads it."));
      return;
    }
    function get(name) { return row[table.index[name]]; }
    var head = document.createElement("p");
    var words = JSON.parse(form.dataset.verdicts || "{}");
    var badge = text("span", words[get("verdict")] || get("verdict"), "verdict verdict-" + get("verdict"));
    badge.setAttribute("data-verdict", get("verdict"));
    badge.setAttribute("data-testid", "verdict");
    head.appendChild(badge);
    var note = recommended ? " · the engine's recommended setup for this hardware and model" : " · all figures estimated by the engine";
    head.appendChild(document.createTextNode(" " + get("split") + " split" + note));
    out.appendChild(head);
    var reasons = get("reasons");
    if (reasons.length) {
      var list = document.createElement("ul");
      reasons.forEach(function (reason) { list.appendChild(text("li", reason)); });
      out.appendChild(list);
    }
    var figures = text("div", "", "figures");
    var range = get("decode_low") !== null ? fmt(get("decode_low")) + "–" + fmt(get("decode_high")) : "";
    var shownDecode = get("decode_tok_s"), label = get("evidence");
    if (recommended && recommended.evidence && recommended.evidence[1] !== null) {
      label = recommended.evidence[0];
      shownDecode = recommended.evidence[1];
      if (label !== "estimated" && label !== "uncalibrated") { range = ""; }
    }
    var decode = figure("Decode, single stream", fmt(shownDecode), "tok/s", range ? range + " · " + label : label);
    decode.setAttribute("data-testid", "decode");
    figures.appendChild(decode);
    figures.appendChild(figure("Prefill", fmt(get("prefill_tok_s")), "tok/s"));
    figures.appendChild(figure("Time to first token", fmt(get("ttft_ms"), Math.abs(get("ttft_ms")) < 10 ? 1 : 0), "ms"));
    figures.appendChild(figure("Largest context that fits", get("max_context") ? fmt(get("max_context"), 0) : "—", "tokens"));
    figures.appendChild(figure("Memory, all cards", fmt(get("memory_total_gib"), 1), "GiB"));
    figures.appendChild(figure("GPU power at load", fmt(get("power_w"), 0), "W"));
    out.appendChild(figures);
    renderCards(get("per_gpu"), table.names);
    if (get("launch_command")) {
      out.appendChild(text("p", "Launch command:"));
      var pre = document.createElement("pre");
      pre.appendChild(text("code", get("launch_command")));
      out.appendChild(pre);
    }
  }

  function renderCards(runs, names) {
    var cards = [];
    runs.forEach(function (run) { for (var n = 0; n < run[7]; n++) { cards.push(run); } });
    cards.forEach(function (card, i) {
      var capacity = card[1];
      var label = text("p", "Card " + (i + 1) + " · " + (names[card[0]] || card[0]) + ": " + fmt(card[6], 1) + " of " + fmt(capacity, 1) + " GiB");
      out.appendChild(label);
      var bar = text("div", "", "bar");
      bar.setAttribute("role", "img");
      bar.setAttribute("aria-label", SEGMENTS.map(function (s) { return s[2] + " " + fmt(card[s[1]], 1) + " GiB"; }).join(", "));
      SEGMENTS.forEach(function (segment) {
        var part = document.createElement("i");
        part.style.width = Math.max(0, Math.min(100, card[segment[1]] / capacity * 100)) + "%";
        part.style.background = "var(--chart-" + segment[0] + ")";
        part.title = segment[2] + ": " + fmt(card[segment[1]], 1) + " GiB";
        bar.appendChild(part);
      });
      out.appendChild(bar);
    });
    if (cards.length) { out.appendChild(legend()); }
  }

  function legend() {
    var box = text("p", "", "legend");
    box.setAttribute("data-testid", "memory-legend");
    SEGMENTS.forEach(function (segment) {
      var item = text("span", "", "legend-item");
      var swatch = text("i", "", "swatch");
      swatch.style.background = "var(--chart-" + segment[0] + ")";
      item.appendChild(swatch);
      item.appendChild(document.createTextNode(segment[2]));
      box.appendChild(item);
    });
    return box;
  }

  function remember() {
    var params = new URLSearchParams();
    ["combo", "model", "runtime", "quant", "split", "context"].forEach(function (name) { params.set(name, field(name).value); });
    if (history.replaceState) { history.replaceState(null, "", "?" + params.toString()); }
  }

  var pickFirst = false;
  var asked = null;  /* the shared URL's choices, until the first result shows */

  /* A shared URL restores its state, or says which choice it could not keep and what shows. */
  function explainPreset() {
    var wanted = asked;
    asked = null;
    if (!wanted) { return; }
    var lost = Object.keys(wanted).filter(function (name) { return field(name).value !== wanted[name]; });
    if (!lost.length) { return; }
    function list(value) { return lost.map(function (name) { return name + " " + value(name); }).join(", "); }
    var note = text("p", "The link asked for " + list(function (name) { return wanted[name]; }) +
      ", which the engine's precomputed results do not hold for this setup; shown instead: " +
      list(function (name) { return field(name).value; }) + ".", "configurator-note");
    note.setAttribute("data-testid", "preset-note");
    out.insertBefore(note, out.firstChild);
  }

  function preset() {
    var params = new URLSearchParams(location.search);
    pickFirst = !params.get("quant") || !params.get("runtime");
    asked = {};
    ["combo", "model", "runtime", "quant", "split", "context"].forEach(function (name) {
      if (params.get(name)) { asked[name] = params.get(name); }
    });
    if (!Object.keys(asked).length) { asked = null; }
    var defaults = { combo: form.dataset.defaultCombo, model: form.dataset.defaultModel, context: form.dataset.defaultContext };
    ["combo", "model", "runtime", "quant", "split", "context"].forEach(function (name) {
      var value = params.get(name) || defaults[name];
      if (value && Array.prototype.some.call(field(name).options, function (o) { return o.value === value; })) {
        field(name).value = value;
      }
    });
  }

  form.addEventListener("change", function (event) { if (event.target.tagName === "SELECT") { update(event); } });
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  if (window.SelectFilter) {  /* sitekit.js */
    window.SelectFilter.attach(field("combo"), form.querySelector("[data-filter='combo']"), function () {
      update({ target: field("combo") });
    });
  }
  preset();
  update();
})();
