// Search of the release site, offline: finds areas by name or code and indicators by number
// or words in NIW_SEARCH_INDEX (search-index.js, loaded before this file), and lists them as
// links. Results are made with textContent only: names from the data never become markup.
(function () {
  "use strict";
  var index = window.NIW_SEARCH_INDEX;
  var form = document.getElementById("search");
  if (!index || !form) return;
  var box = document.getElementById("search-box");
  var list = document.getElementById("search-results");
  var status = document.getElementById("search-status");
  var SHOWN = 20;

  function fold(text) {
    return String(text || "").toLowerCase().normalize("NFKD")
      .replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, " ").trim();
  }

  var entries = [];
  index.areas.forEach(function (a) {
    if (!/^E\d{8}$/.test(a[0])) return;
    entries.push({
      kind: "area", code: a[0].toLowerCase(), name: a[1], detail: a[0] + " · " + a[2] + " (area)",
      href: "areas/" + a[0] + ".html", words: fold(a[1] + " " + a[2]).split(" "),
      full: fold(a[1])
    });
  });
  index.indicators.forEach(function (i) {
    if (typeof i[0] !== "number" || !isFinite(i[0])) return;
    entries.push({
      kind: "indicator", number: String(i[0]), name: "NI " + i[0] + ": " + (i[1] || ""),
      detail: (i[2] || "") + (i[3] ? "" : " (no published values)"),
      href: i[3] ? "indicators/ni-" + i[0] + ".html" : null,
      words: fold(i[1] + " " + i[2]).split(" "), full: fold(i[1])
    });
  });

  // A score for how well an entry matches the query; 0 when it does not.
  function score(entry, query) {
    var terms = query.split(" ");
    var number = /^(ni ?)?(\d+)$/.exec(query);
    if (entry.kind === "indicator" && number) {
      return entry.number === number[2] ? 100 : 0;
    }
    if (entry.kind === "area" && /^e\d+$/.test(query)) {
      return entry.code.indexOf(query) === 0 ? (entry.code === query ? 100 : 60) : 0;
    }
    if (terms[0] === "ni" && entry.kind !== "indicator") return 0;
    if (terms[0] === "ni") terms = terms.slice(1);
    for (var t = 0; t < terms.length; t++) {
      var found = false;
      for (var w = 0; w < entry.words.length && !found; w++) {
        found = entry.words[w].indexOf(terms[t]) === 0;
      }
      if (!found) return 0;
    }
    if (entry.full === terms.join(" ")) return 90;
    if (entry.full.indexOf(terms.join(" ")) === 0) return 80;
    if (entry.full.indexOf(terms.join(" ")) >= 0) return 50;
    return 30;
  }

  function search() {
    var query = fold(box.value);
    list.textContent = "";
    if (!query) {
      status.textContent = "";
      return [];
    }
    var found = entries.map(function (e) { return [score(e, query), e]; })
      .filter(function (pair) { return pair[0] > 0; })
      .sort(function (a, b) { return b[0] - a[0] || (a[1].name < b[1].name ? -1 : a[1].name > b[1].name ? 1 : 0); })
      .map(function (pair) { return pair[1]; });
    found.slice(0, SHOWN).forEach(function (e) {
      var item = document.createElement("li");
      var name = document.createElement(e.href ? "a" : "span");
      if (e.href) name.href = e.href;
      name.textContent = e.name;
      var detail = document.createElement("span");
      detail.className = "note";
      detail.textContent = " " + e.detail;
      item.append(name, detail);
      list.append(item);
    });
    status.textContent = found.length === 0 ? "Nothing found for “" + box.value.trim() + "”."
      : found.length + (found.length === 1 ? " result" : " results")
        + (found.length > SHOWN ? ", the first " + SHOWN + " shown" : "") + ".";
    return found;
  }

  form.hidden = false;
  box.addEventListener("input", search);
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var found = search();
    if (found.length > 0 && found[0].href) window.location.href = found[0].href;
  });
  var asked = new URLSearchParams(window.location.search).get("q");
  if (asked) {
    box.value = asked;
    search();
  }
})();
