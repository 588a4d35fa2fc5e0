// Offline search over the site's static index: search/<model>/<shard>.js files, one per model and two-letter
// prefix of a token, loaded with <script> tags (fetch is blocked on file://). A query loads only what it needs.
(function () {
  "use strict";
  var root = document.currentScript.src.replace(/assets\/search\.js(\?.*)?$/, "");
  // Models and their SAE sections ("model/sae"), each with its own index.
  var models = window.NEURODEX_SEARCH || (window.NEURODEX_MODELS || []).map(function (m) { return m.name; });
  function folder(model) { return model.split("/").map(encodeURIComponent).join("/"); }
  var shards = {};
  var waiting = {};
  window.neurodexSearchShard = function (model, key, terms) {
    var id = model + "/" + key;
    shards[id] = terms;
    (waiting[id] || []).forEach(function (done) { done(); });
    delete waiting[id];
  };

  function normalize(text) { return text.trim().toLowerCase(); }

  function shardKey(term) {
    return Array.from(term).slice(0, 2).map(function (c) { return c.codePointAt(0).toString(16); }).join("_");
  }

  function load(model, key, done) {
    var id = model + "/" + key;
    if (shards[id] !== undefined) { done(); return; }
    if (waiting[id]) { waiting[id].push(done); return; }
    waiting[id] = [done];
    var script = document.createElement("script");
    script.src = root + "search/" + folder(model) + "/" + key + ".js";
    // No shard for these letters: nothing in that model starts with them.
    script.onerror = function () { window.neurodexSearchShard(model, key, {}); };
    document.head.appendChild(script);
  }

  // Postings of every indexed term that starts with the word, in every model: [model, layer, neuron, rank, value, token].
  function lookup(word, done) {
    var key = shardKey(word);
    var hits = [];
    var pending = models.length;
    if (!pending) { done(hits); return; }
    models.forEach(function (model) {
      load(model, key, function () {
        var terms = shards[model + "/" + key];
        Object.keys(terms).forEach(function (term) {
          if (term === word || (word.length >= 3 && term.indexOf(word) === 0)) {
            terms[term].forEach(function (p) { hits.push([model].concat(p, [term])); });
          }
        });
        if (--pending === 0) { done(hits); }
      });
    });
  }

  function search(query, done) {
    var words = normalize(query).split(/\s+/).filter(function (w) { return w.length > 0; });
    if (!words.length) { done([]); return; }
    var results = {};
    var pending = words.length;
    words.forEach(function (word) {
      lookup(word, function (hits) {
        hits.forEach(function (p) {
          var id = p[0] + "/" + p[1] + "/" + p[2];
          var r = results[id] || (results[id] = { model: p[0], layer: p[1], neuron: p[2], score: 0, words: {}, best: null });
          if (!r.words[word] || p[4] > r.words[word][4]) { r.words[word] = p; }
        });
        if (--pending === 0) {
          var list = Object.keys(results).map(function (id) {
            var r = results[id];
            var matched = Object.keys(r.words);
            r.score = matched.reduce(function (s, w) { return s + r.words[w][4]; }, 0);
            r.matched = matched.length;
            r.best = matched.map(function (w) { return r.words[w]; }).sort(function (a, b) { return b[4] - a[4]; })[0];
            return r;
          });
          list.sort(function (a, b) { return b.matched - a.matched || b.score - a.score; });
          done(list.slice(0, 200));
        }
      });
    });
  }

  var form = document.getElementById("search-form");
  var box = document.getElementById("q");
  var out = document.getElementById("results");
  var status = document.getElementById("status");
  function run(query) {
    var started = performance.now();
    search(query, function (list) {
      out.textContent = "";
      list.forEach(function (r) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = root + folder(r.model) + "/" + r.layer + "/" + r.neuron + ".html#ex-" + r.best[3];
        a.textContent = r.model + " L" + r.layer + "N" + r.neuron;
        li.appendChild(a);
        var what = document.createElement("span");
        what.textContent = " · " + JSON.stringify(r.best[5]) + " " + r.best[4] + " in example #" + r.best[3];
        li.appendChild(what);
        out.appendChild(li);
      });
      var ms = Math.round(performance.now() - started);
      status.textContent = list.length + " neurons for " + JSON.stringify(query) + " (" + ms + " ms)";
      status.dataset.ms = String(ms);
    });
  }
  if (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      history.replaceState(null, "", "?q=" + encodeURIComponent(box.value));
      run(box.value);
    });
    var initial = new URLSearchParams(location.search).get("q");
    if (initial) { box.value = initial; run(initial); }
  }
})();
