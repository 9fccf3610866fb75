/* Click a table header to sort its rows (numbers and verdicts sort by value). Tables read fine
   without this script; it only adds ordering. */
(function () {
  "use strict";
  var VERDICTS = { "fits": 0, "tight": 1, "offload": 2, "no-fit": 3, "unsupported": 4 };

  function key(cell) {
    var verdict = cell.querySelector(".verdict");
    var text = (cell.textContent || "").trim();
    var number = parseFloat(text.replace(/[$,]/g, "").replace(/^[^0-9.+-]*/, ""));
    if (verdict) {
      /* The verdict code is in the class (the text is in words): verdict-no-fit -> no-fit. */
      var code = (verdict.className.match(/\bverdict-([a-z-]+)/) || [])[1];
      var rank = Object.prototype.hasOwnProperty.call(VERDICTS, code) ? VERDICTS[code] : 9;
      var rest = text.replace(verdict.textContent, "");
      var speed = parseFloat(rest.replace(/[$,]/g, "").replace(/^[^0-9.+-]*/, ""));
      return [rank, isNaN(speed) ? 0 : -speed];
    }
    if (!isNaN(number) && /^[$]?[-+]?[0-9]/.test(text)) { return [number, 0]; }
    return [text.toLowerCase(), 0];
  }

  function compare(a, b) {
    for (var i = 0; i < 2; i++) {
      if (a[i] < b[i]) { return -1; }
      if (a[i] > b[i]) { return 1; }
    }
    return 0;
  }

  function sortBy(table, th, index) {
    var body = table.tBodies[0];
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    Array.prototype.forEach.call(th.parentNode.children, function (other) {
      other.removeAttribute("aria-sort");
    });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows).map(function (row, order) {
      return { row: row, key: key(row.cells[index]), order: order };
    });
    rows.sort(function (a, b) {
      var result = compare(a.key, b.key) || a.order - b.order;
      return ascending ? result : -result;
    });
    rows.forEach(function (item) { body.appendChild(item.row); });
  }

  function enable(table) {
    if (!table.tHead || !table.tBodies.length || table.tBodies[0].rows.length < 2) { return; }
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      th.classList.add("sortable");
      th.setAttribute("tabindex", "0");
      th.setAttribute("title", "Sort by this column");
      th.addEventListener("click", function () { sortBy(table, th, index); });
      th.addEventListener("keydown", function (event) {
        if (event.key === "Enter" || event.key === " ") { event.preventDefault(); sortBy(table, th, index); }
      });
    });
  }

  function init() {
    document.querySelectorAll(".md-typeset table:not([class]), .md-typeset table.heat-map").forEach(enable);
    document.querySelectorAll(".combo-filter").forEach(initFilter);
  }

  function initFilter(form) {
    var cards = Array.prototype.slice.call(document.querySelectorAll(".combo-cards .combo-card"));
    var container = cards.length ? cards[0].parentNode : null;
    var count = form.querySelector(".combo-count");
    form.hidden = false;
    function value(name) { return form.querySelector("[data-filter=" + name + "]").value; }
    function apply() {
      var kind = value("kind"), usable = parseFloat(value("usable")), power = parseFloat(value("power")),
          price = parseFloat(value("price")), shown = 0;
      cards.forEach(function (card) {
        var d = card.dataset, ok = (!kind || d.kind === kind) &&
          (isNaN(usable) || parseFloat(d.usable) >= usable) &&
          (isNaN(power) || parseFloat(d.power) <= power) &&
          (isNaN(price) || (parseFloat(d.price) > 0 && parseFloat(d.price) <= price));
        card.hidden = !ok;
        if (ok) { shown += 1; }
      });
      var sort = form.querySelector("[data-sort]").value;
      /* most usable VRAM first; least power and cheapest first; combos without a price last */
      cards.slice().sort(function (a, b) {
        if (sort === "name") { return a.dataset.name.localeCompare(b.dataset.name); }
        var x = parseFloat(a.dataset[sort]) || 0, y = parseFloat(b.dataset[sort]) || 0;
        if (sort === "usable") { return y - x; }
        if (sort === "price" && (x <= 0 || y <= 0)) { return (x <= 0) - (y <= 0) || a.dataset.name.localeCompare(b.dataset.name); }
        return x - y || a.dataset.name.localeCompare(b.dataset.name);
      }).forEach(function (card) { container.appendChild(card); });
      count.textContent = shown + " of " + cards.length + " combos";
    }
    form.addEventListener("input", apply);
    form.addEventListener("change", apply);
    apply();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
