/* What the configurator and the compare picker share (loaded before either):
   SiteKit.fmt(value, digits) formats a number as the pages do; SiteKit.text(tag, content,
   className) makes an element holding text (never HTML); SelectFilter is a text filter for a
   long <select> of <optgroup>s (the hardware lists): typing keeps the options whose name or key
   holds every word typed, the current choice stays listed and moves to the first match when it
   does not match. SelectFilter.attach(select, input, onMove) keeps the select's full list and
   filters it on every keystroke, calling onMove() when the choice moved;
   SelectFilter.has(select, value) says whether the full list holds a value. */
(function () {
  "use strict";
  var lists = new WeakMap();

  function snapshot(select) {
    return Array.prototype.map.call(select.querySelectorAll("optgroup"), function (group) {
      return {
        label: group.label,
        options: Array.prototype.map.call(group.querySelectorAll("option"), function (o) {
          return { value: o.value, label: o.textContent, short: o.dataset.short || "" };
        })
      };
    });
  }

  function groups(select) {
    if (!lists.has(select)) { lists.set(select, snapshot(select)); }
    return lists.get(select);
  }

  function has(select, value) {
    return groups(select).some(function (group) {
      return group.options.some(function (o) { return o.value === value; });
    });
  }

  function rebuild(select, shown) {
    while (select.firstChild) { select.removeChild(select.firstChild); }
    shown.forEach(function (group) {
      var node = document.createElement("optgroup");
      node.label = group.label;
      group.options.forEach(function (o) {
        var option = document.createElement("option");
        option.textContent = o.label;
        option.value = o.value;
        if (o.short) { option.dataset.short = o.short; }
        node.appendChild(option);
      });
      select.appendChild(node);
    });
  }

  /* Filters select by query; returns whether the choice moved. */
  function filter(select, input, query) {
    var current = select.value;
    var terms = query.toLowerCase().split(/\s+/).filter(Boolean);
    function matches(o) {
      var hay = (o.label + " " + o.value).toLowerCase();
      return terms.every(function (t) { return hay.indexOf(t) >= 0; });
    }
    var all = groups(select);
    var found = [];
    all.forEach(function (group) {
      group.options.forEach(function (o) { if (matches(o)) { found.push(o.value); } });
    });
    var chosen = found.length && found.indexOf(current) < 0 ? found[0] : current;
    var shown = all.map(function (group) {
      return { label: group.label, options: group.options.filter(function (o) { return matches(o) || o.value === chosen; }) };
    }).filter(function (group) { return group.options.length; });
    rebuild(select, shown);
    select.value = chosen;
    input.setAttribute("aria-invalid", found.length ? "false" : "true");
    input.title = found.length ? found.length + (found.length > 1 ? " matches" : " match") :
      "Nothing matches; the list keeps the current choice";
    return chosen !== current;
  }

  function attach(select, input, onMove) {
    groups(select);
    input.addEventListener("input", function () {
      if (filter(select, input, input.value)) { onMove(); }
    });
  }

  function fmt(value, digits) {
    if (value === null || value === undefined) { return "—"; }
    if (digits === undefined) { digits = Math.abs(value) < 100 ? 1 : 0; }
    /* toFixed rounds the exact binary value, as Python's format does on the pages */
    var parts = Math.abs(value).toFixed(digits).split(".");
    var whole = parts[0].replace(/\B(?=(\d{3})+(?!\d))/g, ",");
    return (value < 0 ? "-" : "") + whole + (parts.length > 1 ? "." + parts[1] : "");
  }

  function text(tag, content, className) {
    var node = document.createElement(tag);
    node.textContent = content;
    if (className) { node.className = className; }
    return node;
  }

  /* The engine in the browser: Pyodide runs the build's own Python engine from `base`
     (../assets/engine/) on first use, once per page; `engine.answer(line)` answers what
     `site-builder estimate --batch` answers, `engine.table(key)` a build-your-own table. */
  var engines = {};
  function engine(base) {
    var url = new URL(base, location.href).href;
    if (!engines[url]) {
      engines[url] = fetch(url + "manifest.json").then(function (r) { return r.json(); }).then(function (manifest) {
        return import(url + "pyodide.mjs").then(function (module) {
          return module.loadPyodide({ indexURL: url });
        }).then(function (py) {
          return Promise.all([
            py.loadPackage(manifest.wheels.map(function (w) { return url + w; })),
            fetch(url + manifest.engine).then(function (r) { return r.arrayBuffer(); }),
            fetch(url + manifest.catalog).then(function (r) { return r.text(); })
          ]).then(function (parts) {
            py.unpackArchive(parts[1], "zip", { extractDir: "/engine" });
            py.globals.set("catalog_json", parts[2]);
            py.runPython("import sys\nsys.path.insert(0, '/engine')\nfrom site_builder.site.in_browser import Engine\nengine = Engine(catalog_json)\ndel catalog_json");
            return py;
          });
        });
      });
      engines[url].catch(function () { delete engines[url]; });
    }
    return engines[url];
  }

  /* Ask the engine in the browser: `call` is "answer" or "table", `arg` its string. A
     question that names a combo first loads that combo's snapshot (combos/<slug>.json, once);
     a combo the site does not have is left to the engine, which says so as the CLI does. */
  function ask(base, call, arg) {
    return engine(base).then(function (py) {
      var combo = call === "answer" ? comboOf(arg) : null;
      return (combo ? withCombo(base, py, combo) : Promise.resolve()).then(function () {
        py.globals.set("arg", arg);
        return JSON.parse(py.runPython("engine." + call + "(arg)"));
      });
    });
  }

  function comboOf(line) {
    try {
      var combo = JSON.parse(line).combo;
      return typeof combo === "string" && combo ? combo : null;
    } catch (e) { return null; }
  }

  var combos = {};
  function withCombo(base, py, slug) {
    var url = new URL(base, location.href).href + "combos/" + encodeURIComponent(slug) + ".json";
    if (!combos[url]) {
      combos[url] = fetch(url).then(function (r) {
        if (r.status === 404) { return; }
        if (!r.ok) { throw new Error("combo " + slug + ": HTTP " + r.status); }
        return r.text().then(function (text) {
          py.globals.set("slug", slug);
          py.globals.set("text", text);
          py.runPython("engine.add_combo(slug, text)\ndel slug, text");
        });
      });
      combos[url].catch(function () { delete combos[url]; });
    }
    return combos[url];
  }

  var BUILD_PREFIX = "any-";

  /* Whether `key` is build-your-own hardware, whose table the engine in the browser works
     out (no file holds it) rather than a combo's (../api/estimates/<combo>.json). */
  function isBuild(key) { return key.indexOf(BUILD_PREFIX) === 0; }

  function fetched(url) {
    return fetch(url).then(function (r) {
      if (!r.ok) { throw new Error(r.status); }
      return r.json();
    });
  }

  /* A combo's table with the columns of its details file (<combo>.details.json: each card's
     memory, the reasons, the launch command, row for row) added to each row. */
  function withDetails(both) {
    var data = both[0], more = both[1];
    if (more.rows.length !== data.rows.length) { throw new Error("the table's details file does not match it"); }
    data.fields = data.fields.concat(more.fields);
    data.rows = data.rows.map(function (row, i) { return row.concat(more.rows[i]); });
    return data;
  }

  /* One estimates table, fetched or worked out once per page: its rows, the column index of
     each field, and what the table says about its hardware. A combo's rows carry the detail
     columns only when `details` asks for them (the configurator: a second file; the compare
     picker does without); a build-your-own table always has them. */
  var tables = {};
  function table(base, key, engineBase, details) {
    var id = key + (details ? " with details" : "");
    if (!tables[id]) {
      var url = base + encodeURIComponent(key);
      var data = isBuild(key) ? ask(engineBase, "table", key).then(function (found) {
        if (found.error) { throw new Error(found.error); }
        return found;
      }) : details ? Promise.all([fetched(url + ".json"), fetched(url + ".details.json")]).then(withDetails) :
        fetched(url + ".json");
      tables[id] = data.then(function (data) {
        var index = {};
        data.fields.forEach(function (name, i) { index[name] = i; });
        return {
          key: key, rows: data.rows, index: index, defaults: data.defaults || {}, nothing: data.nothing || {},
          names: data.gpu_names || {}, gpus: data.gpus || null, price: data.price || null,
          calibratedBits: data.calibrated_bits || []
        };
      });
      tables[id].catch(function () { delete tables[id]; });
    }
    return tables[id];
  }

  /* A figure's evidence label as the pages give it, from a row's `calibrated` bits (the table
     lists which bit is which metric): estimated (calibrated) or uncalibrated. */
  function label(table, bits, metric) {
    var at = table.calibratedBits.indexOf(metric);
    return at >= 0 && (bits >> at) & 1 ? "estimated" : "uncalibrated";
  }

  /* The `calibrated` bits of an `estimate --json` answer, in a table's order. */
  function bitsOf(table, calibrated) {
    return table.calibratedBits.reduce(function (bits, metric, at) {
      return calibrated.indexOf(metric) >= 0 ? bits | (1 << at) : bits;
    }, 0);
  }

  /* Price per decode tok/s: the hardware's price over the setup's decode speed, as
     engine/cost.py's usd_per_tok_s (browser tests hold the two to the same figures). */
  function perTokS(price, decode) {
    return price && decode ? price.usd / decode : null;
  }

  /* A setup's decode figure as every page shows it: the recommended setup's evidence (a
     measurement where there is one) over the row's estimate; for another setup of a model a
     measurement ran on this hardware, the estimate times the measured-near ratio of the
     model's table defaults (`defaults.near`, engine/evidence.py's near_ratio); and the energy
     per token that follows from it at one stream, as engine/evidence.py's as_shown. */
  function decodeShown(get, evidence, defaults) {
    var value = get("decode_tok_s"), label = get("evidence"), joules = get("joules_per_token");
    var range = get("decode_low") !== null ? fmt(get("decode_low")) + "–" + fmt(get("decode_high")) : "";
    var near = defaults && defaults.near;
    if (!(evidence && evidence[1] !== null) && near && value) {
      evidence = ["measured-near", Math.round(value * near * 100) / 100];
    }
    if (evidence && evidence[1] !== null) {
      label = evidence[0];
      if (label !== "estimated" && label !== "uncalibrated") {
        range = "";
        var single = get("aggregate_decode_tok_s") === value;
        joules = single && value && joules !== null ? joules * value / evidence[1] : joules;
      }
      value = evidence[1];
    }
    return { value: value, label: label, range: range, joules: joules };
  }

  /* US dollars as Python's fmt.usd: two decimals below 10, none above. */
  function usd(value) {
    if (value === null || value === undefined) { return "—"; }
    return "$" + fmt(value, Math.abs(value) < 10 ? 2 : 0);
  }

  window.SelectFilter = { attach: attach, has: has, filter: filter };
  window.SiteKit = { fmt: fmt, text: text, table: table, isBuild: isBuild, ask: ask, usd: usd, perTokS: perTokS,
    label: label, bitsOf: bitsOf, decodeShown: decodeShown };
})();
