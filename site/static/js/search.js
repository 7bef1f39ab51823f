// In-browser search over search.json: no server, no third-party service.
// The index URL comes from the page (data-index), so it works under any base path.
(function () {
  "use strict";

  var root = document.getElementById("search");
  if (!root || !window.fetch) return;
  var form = root.querySelector("form");
  var input = root.querySelector("input[type=search]");
  var status = document.getElementById("search-status");
  var results = document.getElementById("search-results");
  var documents = null;
  var MAX_RESULTS = 50;

  var MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December"];
  // The page's texts in the site's language (templates/search.html, from site/i18n/).
  var TEXTS = JSON.parse(root.dataset.texts || "{}");
  var LANG = document.documentElement.lang || "en";

  function text(key, fallback) {
    return typeof TEXTS[key] === "string" ? TEXTS[key] : fallback;
  }

  // A count in words: the plural form the language uses for n ("one", "other"...).
  function counted(key, n, one, other) {
    var forms = TEXTS[key] || { one: one, other: other };
    var form = "other";
    try { form = new Intl.PluralRules(LANG).select(n); } catch (e) { form = n === 1 ? "one" : "other"; }
    return (forms[form] || forms.other).replace("{n}", String(n));
  }

  // "2026-09-08" as the lists show dates (partials/post_meta.html): "September 8, 2026",
  // "8 septembre 2026" on a French site.
  function longDate(iso) {
    var parts = /^(\d{4})-(\d{2})-(\d{2})$/.exec(iso);
    if (!parts) return iso;
    if (window.Intl && LANG.split("-")[0] !== "en") {
      try {
        var day = new Date(Date.UTC(Number(parts[1]), Number(parts[2]) - 1, Number(parts[3])));
        return new Intl.DateTimeFormat(LANG, { dateStyle: "long", timeZone: "UTC" }).format(day);
      } catch (e) { /* an unknown language: as below */ }
    }
    return MONTHS[Number(parts[2]) - 1] + " " + Number(parts[3]) + ", " + parts[1];
  }

  // Lower case without accents, so "cafe" finds "Café".
  function fold(text) {
    return (text || "").normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function prepare(item) {
    return {
      item: item,
      title: fold(item.title),
      tags: fold((item.tags || []).join(" ")),
      summary: fold(item.summary),
      text: fold(item.text)
    };
  }

  // Every word must occur somewhere; title and tag hits rank higher than body hits.
  function score(doc, words) {
    var total = 0;
    for (var i = 0; i < words.length; i++) {
      var word = words[i];
      var points = 0;
      if (doc.title.indexOf(word) !== -1) points += 10;
      if (doc.tags.indexOf(word) !== -1) points += 5;
      if (doc.summary.indexOf(word) !== -1) points += 3;
      if (doc.text.indexOf(word) !== -1) points += 1;
      if (!points) return 0;
      total += points;
    }
    return total;
  }

  function render(query) {
    results.textContent = "";
    var words = fold(query).split(/\s+/).filter(Boolean);
    if (!words.length) {
      status.textContent = counted("documents", documents.length,
        "{n} post or page to search.", "{n} posts and pages to search.");
      return;
    }
    var hits = [];
    documents.forEach(function (doc, order) {
      var points = score(doc, words);
      if (points) hits.push({ doc: doc, points: points, order: order });
    });
    hits.sort(function (a, b) { return b.points - a.points || a.order - b.order; });
    status.textContent = counted("results", hits.length, "{n} result.", "{n} results.");
    hits.slice(0, MAX_RESULTS).forEach(function (hit) {
      var item = hit.doc.item;
      var li = document.createElement("li");
      var link = document.createElement("a");
      link.href = item.url;
      link.textContent = item.title;
      var heading = document.createElement("h2");
      heading.appendChild(link);
      li.appendChild(heading);
      if (item.date) {
        var meta = document.createElement("p");
        meta.className = "meta";
        var time = document.createElement("time");
        time.dateTime = item.date;
        time.textContent = longDate(item.date);
        meta.appendChild(time);
        li.appendChild(meta);
      }
      if (item.summary) {
        var summary = document.createElement("p");
        summary.textContent = item.summary;
        li.appendChild(summary);
      }
      results.appendChild(li);
    });
  }

  function remember(query) {
    var url = new URL(window.location.href);
    if (query) url.searchParams.set("q", query);
    else url.searchParams.delete("q");
    window.history.replaceState(null, "", url);
  }

  root.hidden = false;
  var fallback = document.getElementById("search-fallback");
  if (fallback) fallback.hidden = true;
  input.value = new URLSearchParams(window.location.search).get("q") || "";
  status.textContent = text("loading", "Loading the search index…");
  form.addEventListener("submit", function (event) { event.preventDefault(); });

  fetch(root.dataset.index)
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(function (index) {
      documents = index.items.map(prepare);
      render(input.value);
      input.addEventListener("input", function () {
        render(input.value);
        remember(input.value.trim());
      });
      input.focus();
    })
    .catch(function () {
      status.textContent = text("failed", "The search index could not be loaded.");
    });
})();
