/* The configurator: shows the engine's precomputed result for the chosen combo, model,
   runtime, quant and context. Data: ../api/estimates/<combo>.json, the API's own table, and
   beside it <combo>.details.json, the columns only this page shows (over HTTP: browsers forbid
   fetch on file://, and the page says so). Build-your-own hardware
   (any GPU x count, two different cards) and a knob the tables do not hold (link, KV cache,
   prompt, requests at once) ask the engine itself, run in the browser by Pyodide from
   ../assets/engine/ on first use (SiteKit.ask): the request is what `site-builder estimate
   --batch` reads, and the answer is what it prints (the same Python code). No figure is
   computed here. */
(function () {
  "use strict";
  var fmt = window.SiteKit.fmt, text = window.SiteKit.text;
  var form = document.getElementById("configurator-form");
  var out = document.getElementById("configurator-result");
  if (!form || !out) { return; }
  var SEGMENTS = [["weights", 2, "Weights"], ["kv", 3, "KV cache"], ["buffers", 4, "Buffers"], ["overhead", 5, "Reserve"]];

  function field(name) { return form.elements[name]; }

  function load(combo) { return window.SiteKit.table(form.dataset.api, combo, form.dataset.engine, true); }


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
    out.setAttribute("aria-busy", "true");
    var combo = field("combo").value;
    var target = event && event.target ? event.target.name : "";
    if (window.SiteKit.isBuild(combo)) {
      out.innerHTML = "";
      out.appendChild(text("p", "Working out this hardware's table with the engine in your browser…", "configurator-status"));
    }
    load(combo).then(function (table) {
      var model = field("model").value;
      var forModel = rowsWhere(table, function (get) { return get("model") === model; });
      if (target === "combo" || target === "model" || pickFirst) {
        /* a shared link's context outlives the recommended setup it leaves the rest to */
        var linked = pickFirst && asked && asked.context;
        pickFirst = false;
        choose(table, model);
        if (linked && hasOption(field("context"), linked)) { field("context").value = linked; }
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
      var asking = request(table);
      if (!row || tablesHold()) {
        show(asking, row ? rowGetter(row, table) : null, table, isDefault(table, model));
        sayNothingRuns(table, model);
        return;
      }
      out.innerHTML = "";
      out.appendChild(text("p", "Running the engine in your browser…", "configurator-status"));
      var ticket = ++asked_n;
      return engineAnswer(asking).then(function (answer) {
        if (ticket !== asked_n) { return; }  /* a later choice is on its way */
        show(asking, answer.error ? null : estimateGetter(answer, table), table, null, answer.error);
        sayNothingRuns(table, model);
      });
    }).catch(function (error) {
      out.setAttribute("aria-busy", "false");
      out.innerHTML = "";
      var why = location.protocol === "file:" ?
        "Your browser does not load data into a page opened from disk: serve the site over HTTP (python3 -m http.server -d site 8000) or read the tables on the combo pages." :
        "Could not load the engine's results: " + error.message;
      out.appendChild(text("p", why));
    });
  }



  /* --- The engine in the browser --------------------------------------------------------- */

  var MORE = ["interconnect", "kv_cache", "prompt", "concurrency", "ram", "ubatch"];
  var asked_n = 0;

  function moreDefaults() {
    return {
      interconnect: "", kv_cache: "f16", prompt: form.dataset.defaultPrompt, concurrency: "1", ram: "",
      ubatch: ""
    };
  }

  function tablesHold() {
    var d = moreDefaults();
    return MORE.every(function (name) { return field(name).value === d[name]; });
  }

  /* The choice as a line of `site-builder estimate --batch`. */
  function request(table) {
    var line = {};
    if (table.gpus) {
      line.gpu = table.gpus.map(function (card) { return card[0] + ":" + card[1]; });
    } else {
      line.combo = table.key;
    }
    line.model = field("model").value;
    line.runtime = field("runtime").value;
    line.quant = field("quant").value;
    if (field("split").value !== "none") { line.split = field("split").value; }
    line.context = Number(field("context").value);
    line.prompt = Number(field("prompt").value);
    line.concurrency = Number(field("concurrency").value);
    line.kv_cache = field("kv_cache").value;
    if (field("interconnect").value) { line.interconnect = field("interconnect").value; }
    if (field("ram").value) {  /* "GIB:GB_S", as estimate --ram and --ram-bandwidth take them */
      var host = field("ram").value.split(":");
      line.ram_gib = Number(host[0]);
      line.ram_bandwidth_gb_s = Number(host[1]);
    }
    /* -ub is llama.cpp's own option (estimate --ubatch refuses it for other runtimes) */
    if (field("ubatch").value && line.runtime === "llama-cpp") { line.ubatch = Number(field("ubatch").value); }
    return line;
  }

  function engineAnswer(line) {
    return window.SiteKit.ask(form.dataset.engine, "answer", JSON.stringify(line));
  }

  function rowGetter(row, table) {
    return function (name) { return row[table.index[name]]; };
  }

  /* An `estimate --json` answer read by the names of the tables' fields. */
  function estimateGetter(e, table) {
    var range = e.decode_tok_s_range || [null, null];
    var fields = {
      decode_low: range[0], decode_high: range[1],
      memory_total_gib: e.memory.total_gib,
      per_gpu: e.memory.per_gpu.map(function (c) {
        return [c.gpu, c.capacity_gib, c.weights_gib, c.kv_cache_gib, c.buffers_gib, c.overhead_gib, c.total_gib, 1];
      }),
      evidence: (e.calibrated || []).indexOf("decode_tok_s") >= 0 ? "estimated" : "uncalibrated",
      calibrated: window.SiteKit.bitsOf(table, e.calibrated || [])
    };
    return function (name) { return name in fields ? fields[name] : e[name]; };
  }

  var SHOWN = ["verdict", "split", "decode_tok_s", "decode_low", "decode_high", "prefill_tok_s", "ttft_ms",
    "aggregate_decode_tok_s", "max_context", "memory_total_gib", "power_w", "launch_command", "reasons", "evidence"];

  function show(line, get, table, recommended, error) {
    render(get, table, recommended, error);
    out.setAttribute("data-request", JSON.stringify(line));
    var shown = {};
    if (get) {
      SHOWN.forEach(function (name) { shown[name] = get(name); });
      if (field("concurrency").value !== "1") { shown.output_tok_s = get("output_tok_s"); }
      LABELLED.forEach(function (metric) { shown[metric + "_evidence"] = labelOf(get, table, metric); });
      var found = window.SiteKit.decodeShown(get, recommended && recommended.evidence, otherSetup(table, recommended));
      shown.usd_per_tok_s = window.SiteKit.perTokS(table.price, found.value);
    }
    out.setAttribute("data-estimate", JSON.stringify(error ? { error: error } : shown));
    explainPreset();
    remember();
    out.setAttribute("aria-busy", "false");
  }

  /* The chosen model's table defaults for a setup other than the recommended one (whose own
     evidence it shows): their measured-near ratio, when a measurement ran the model here. */
  function otherSetup(table, recommended) {
    return recommended ? null : table.defaults[field("model").value];
  }

  /* Prefill, TTFT and the figures of several requests carry their evidence label, as on
     every page. */
  var LABELLED = ["prefill_tok_s", "ttft_ms", "aggregate_decode_tok_s", "output_tok_s"];

  function labelOf(get, table, metric) { return window.SiteKit.label(table, get("calibrated"), metric); }

  function figure(label, value, unit, note) {
    var box = text("div", "", "figure");
    box.appendChild(text("b", value + (unit && value !== "—" ? " " + unit : "")));
    box.appendChild(text("span", label + (note ? " · " + note : "")));
    return box;
  }

  /* A model nothing runs for on this hardware: what the pages say comes first (the setup
     shown is one of those that do not run, not a recommendation). */
  function sayNothingRuns(table, model) {
    var none = table.nothing[model];
    if (!none) { return; }
    var words = JSON.parse(form.dataset.verdicts || "{}");
    var note = text("p", "Nothing runs on this hardware (" + (words[none.verdict] || none.verdict) + "): " +
      none.reason + ". The setup below is one of those that do not run.", "configurator-note");
    note.setAttribute("data-testid", "nothing-runs");
    out.insertBefore(note, out.firstChild);
  }

  var RUNS = ["fits", "tight", "offload"];

  function render(get, table, recommended, error) {
    out.innerHTML = "";
    if (error) {
      out.appendChild(text("p", "The engine cannot answer this choice: " + error + "."));
      return;
    }
    if (!get) {
      out.appendChild(text("p", "The engine has no result for this choice: no runtime rated for this hardware loads it."));
      return;
    }
    var head = document.createElement("p");
    var words = JSON.parse(form.dataset.verdicts || "{}");
    var badge = text("span", words[get("verdict")] || get("verdict"), "verdict verdict-" + get("verdict"));
    badge.setAttribute("data-verdict", get("verdict"));
    badge.setAttribute("data-testid", "verdict");
    head.appendChild(badge);
    var note = recommended ? " · the engine's recommended setup for this hardware and model" :
      tablesHold() ? " · all figures estimated by the engine" : " · all figures estimated by the engine, run in your browser";
    var split = get("split") === "none" ? "one card" : get("split") + " split";
    head.appendChild(document.createTextNode(" " + split + note));
    out.appendChild(head);
    var reasons = get("reasons");
    if (reasons.length) {
      var list = document.createElement("ul");
      reasons.forEach(function (reason) { list.appendChild(text("li", reason)); });
      out.appendChild(list);
    }
    var figures = text("div", "", "figures");
    var found = window.SiteKit.decodeShown(get, recommended && recommended.evidence, otherSetup(table, recommended));
    var shownDecode = found.value, label = found.label, range = found.range;
    var decode = figure("Decode, single stream", fmt(shownDecode), "tok/s", range ? range + " · " + label : label);
    decode.setAttribute("data-testid", "decode");
    figures.appendChild(decode);
    var prompt = fmt(Number(field("prompt").value), 0) + "-token prompt";
    figures.appendChild(figure("Prefill (" + prompt + ")", fmt(get("prefill_tok_s")), "tok/s", labelOf(get, table, "prefill_tok_s")));
    figures.appendChild(figure("Time to first token (" + prompt + ")", fmt(get("ttft_ms"), Math.abs(get("ttft_ms")) < 10 ? 1 : 0), "ms", labelOf(get, table, "ttft_ms")));
    if (field("concurrency").value !== "1") {
      figures.appendChild(figure("Decode, all " + field("concurrency").value + " requests", fmt(get("aggregate_decode_tok_s")), "tok/s", labelOf(get, table, "aggregate_decode_tok_s")));
      figures.appendChild(figure("Output over a serving run, prefill included", fmt(get("output_tok_s")), "tok/s", labelOf(get, table, "output_tok_s")));
    }
    figures.appendChild(figure("Largest context that fits", get("max_context") ? fmt(get("max_context"), 0) : "—", "tokens"));
    figures.appendChild(figure("Memory, all cards", fmt(get("memory_total_gib"), 1), "GiB"));
    figures.appendChild(figure("GPU power at load", fmt(get("power_w"), 0), "W"));
    if (table.price) {
      figures.appendChild(figure("Price of the hardware", table.price.text, ""));
      var perTokS = window.SiteKit.perTokS(table.price, shownDecode);
      figures.appendChild(figure("Price per decode tok/s", window.SiteKit.usd(perTokS), ""));
    }
    out.appendChild(figures);
    renderCards(get("per_gpu"), table.names);
    if (get("launch_command") && RUNS.indexOf(get("verdict")) >= 0) {  /* none for a setup that does not run */
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
    var d = moreDefaults();
    MORE.forEach(function (name) { if (field(name).value !== d[name]) { params.set(name, field(name).value); } });
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
      ", which this site does not offer for this setup; shown instead: " +
      list(function (name) { return field(name).value; }) + ".", "configurator-note");
    note.setAttribute("data-testid", "preset-note");
    out.insertBefore(note, out.firstChild);
  }

  function hasOption(select, value) {
    return Array.prototype.some.call(select.options, function (o) { return o.value === value; });
  }

  function preset() {
    var params = new URLSearchParams(location.search);
    pickFirst = !params.get("quant") || !params.get("runtime");
    asked = {};
    ["combo", "model", "runtime", "quant", "split", "context"].concat(MORE).forEach(function (name) {
      if (params.get(name)) { asked[name] = params.get(name); }
    });
    if (!Object.keys(asked).length) { asked = null; }
    var defaults = { combo: form.dataset.defaultCombo, model: form.dataset.defaultModel, context: form.dataset.defaultContext };
    ["combo", "model", "runtime", "quant", "split", "context"].concat(MORE).forEach(function (name) {
      var value = params.get(name) || defaults[name];
      if (value && hasOption(field(name), value)) {
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
