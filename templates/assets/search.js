/* Site search worker: answers Material for MkDocs' search messages (SETUP 0, READY 1, QUERY 2,
   RESULT 3) from the index pieces the build writes (site_builder/site/search_pieces.py), so a
   query downloads the word files of its words and the section files of its best matches
   instead of the whole site's index. A word matches the words it starts (search as you type);
   a section must hold every query word whose section list is complete, and ranks by the sum of
   its words' weights. Results are grouped by page, best first, as Material renders them. */
"use strict";

var SETUP = 0, READY = 1, QUERY = 2, RESULT = 3;
var SHOWN = 20;
var base = null, perFile = 32, wordFiles = {}, docFiles = {}, latest = 0;

function getJSON(url) {
  return fetch(url).then(function (response) {
    if (!response.ok) { throw new Error(url + ": HTTP " + response.status); }
    return response.json();
  });
}

/* The query's words as search_pieces splits a title: runs of two or more letters and digits,
   dotted numbers ("3.3") and a name joined to its version ("llama3.3", search_pieces.joined);
   [word, where it ends, joined], in the order they end (a joined word before the plain word
   ending with it), so the last is the word being typed. */
function tokens(text) {
  var lower = String(text).toLowerCase(), out = [];
  function each(pattern, make) {
    var m;
    while ((m = pattern.exec(lower))) { var t = make(m); if (t) { out.push(t); } }
  }
  each(/[a-z0-9]+/g, function (m) { return m[0].length >= 2 ? [m[0], m.index + m[0].length, false] : null; });
  each(/(?<![0-9.])[0-9]+(?:\.[0-9]+)+/g, function (m) { return [m[0], m.index + m[0].length, false]; });
  each(/(?<![a-z0-9])([a-z]+)[ _-]?([0-9]+(?:\.[0-9]+)+)(?![0-9.])/g, function (m) {
    return [m[1] + m[2], m.index + m[0].length, true];
  });
  return out.sort(function (a, b) { return a[1] - b[1] || (b[2] ? 1 : 0) - (a[2] ? 1 : 0); });
}

function wordFile(key) {
  if (!(key in wordFiles)) {
    wordFiles[key] = /^[a-z0-9_]{2}$/.test(key) ? getJSON(base + "terms/" + key + ".json").catch(function () { return {}; }) : Promise.resolve({});
  }
  return wordFiles[key];
}

function docFile(n) {
  if (!(n in docFiles)) { docFiles[n] = getJSON(base + "docs/" + n + ".json"); }
  return docFiles[n];
}

/* The sections one query word matches: section id -> weight (the heaviest word it starts),
   whether every such section is listed, and the word's best completion. */
function match(word, prefix) {
  return wordFile(word.slice(0, 2).replace(".", "_")).then(function (file) {
    var hits = {}, complete = true, best = null, bestWeight = -1;
    Object.keys(file).forEach(function (term) {
      if (term !== word && !(prefix && term.indexOf(word) === 0)) { return; }
      var flat = file[term], total = 0;
      complete = complete && flat[0] === 1;
      for (var i = 1; i < flat.length; i += 2) {
        total += flat[i + 1];
        if (!(flat[i] in hits) || hits[flat[i]] < flat[i + 1]) { hits[flat[i]] = flat[i + 1]; }
      }
      if (total > bestWeight || (total === bestWeight && term < best)) { best = term; bestWeight = total; }
    });
    return { word: word, hits: hits, complete: complete, best: best };
  });
}

function record(id) {
  return docFile(Math.floor(id / perFile)).then(function (rows) { return rows[id % perFile]; });
}

function escapeRegExp(text) { return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); }

/* Marks the query words in escaped HTML text (word starts only; never inside an entity). */
function highlight(escaped, found) {
  if (!found.length) { return escaped; }
  var pattern = new RegExp("(?<![&#a-z0-9])(" + found.map(escapeRegExp).join("|") + ")", "gi");
  return escaped.replace(pattern, "<mark>$1</mark>");
}

function search(query) {
  var all = tokens(query);
  if (!all.length) { return Promise.resolve({ items: [] }); }
  var typing = !/\s$/.test(query), end = query.replace(/\s+$/, "").length;
  return Promise.all(all.map(function (t) {
    return match(t[0], typing && t[1] === end).then(function (m) { m.joined = t[2]; return m; });
  }))
    .then(function (matches) {
      var required = matches.filter(function (m) { return m.complete; });
      var pool = required.length ? required : matches;
      var scores = {};
      Object.keys(pool[0].hits).forEach(function (id) {
        if (required.every(function (m) { return id in m.hits; })) { scores[id] = 0; }
      });
      if (!required.length) {
        matches.forEach(function (m) { Object.keys(m.hits).forEach(function (id) { scores[id] = 0; }); });
      }
      var ids = Object.keys(scores).map(Number);
      ids.forEach(function (id) {
        matches.forEach(function (m) { scores[id] += m.hits[id] || 0; });
      });
      /* sections holding more of the query's words first (two cut lists may share few) */
      var held = {};
      ids.forEach(function (id) { held[id] = matches.filter(function (m) { return id in m.hits; }).length; });
      ids.sort(function (a, b) { return held[b] - held[a] || scores[b] - scores[a] || a - b; });
      ids = ids.slice(0, SHOWN);
      return Promise.all(ids.map(record)).then(function (rows) {
        var pages = rows.map(function (row, i) { return row[3] < 0 ? ids[i] : row[3]; });
        return Promise.all(pages.map(record)).then(function (heads) {
          return group(matches, ids, rows, pages, heads, scores, typing);
        });
      });
    });
}

function item(row, score, matches) {
  var terms = {}, found = [];
  var text = (row[1] + " " + row[2]).toLowerCase();
  matches.forEach(function (m) {
    if (m.joined) { return; }  /* "llama3.3" is "llama" and "3.3" on the page */
    var hit = new RegExp("(^|[^a-z0-9])" + escapeRegExp(m.word)).test(text);
    terms[m.word] = hit;
    if (hit) { found.push(m.word); }
  });
  return {
    location: row[0],
    title: highlight(row[1], found),
    text: row[2] ? "<p>" + highlight(row[2], found) + "</p>" : "",
    score: score,
    terms: terms
  };
}

function group(matches, ids, rows, pages, heads, scores, typing) {
  var groups = [], byPage = {};
  ids.forEach(function (id, i) {
    var page = pages[i];
    if (!(page in byPage)) { byPage[page] = groups.length; groups.push({ page: page, head: heads[i], items: [] }); }
    groups[byPage[page]].items.push(item(rows[i], scores[id], matches));
  });
  var items = groups.map(function (g) {
    var location = g.head[0];
    if (!g.items.some(function (it) { return it.location === location; })) {
      g.items.push(item(g.head, 0, matches));
    }
    return g.items;
  });
  var last = matches[matches.length - 1];
  var result = { items: items };
  if (typing && last.best && last.best !== last.word) { result.suggest = [last.best]; }
  return result;
}

self.addEventListener("message", function (event) {
  var message = event.data;
  if (message.type === SETUP) {
    var pieces = (message.data.config || {}).pieces || {};
    base = new URL("../search/" + pieces.folder + "/", self.location.href).href;
    perFile = pieces.docs_per_file || perFile;
    self.postMessage({ type: READY });
    return;
  }
  if (message.type !== QUERY) { return; }
  var mine = ++latest;
  search(message.data).then(function (result) {
    if (mine === latest) { self.postMessage({ type: RESULT, data: result }); }
  }, function (error) {
    console.warn("search: " + error.message);
    if (mine === latest) { self.postMessage({ type: RESULT, data: { items: [] } }); }
  });
});
