// Enhancements only: every page reads and links without this file.
(function () {
  "use strict";
  var self = document.currentScript;
  var root = self ? self.src.replace(/assets\/neurodex\.js(\?.*)?$/, "") : "";
  var models = window.NEURODEX_MODELS || [];
  var header = document.querySelector("header.neuron");
  if (location.hash === "#embed") { document.body.classList.add("embed"); } // for browsers without :has()

  function pick(n) { return Math.floor(Math.random() * n); }

  // A model's folder, or an SAE section's inside it ("model/sae"): each segment encoded.
  function folder(model) { return model.split("/").map(encodeURIComponent).join("/"); }

  function neuronUrl(model, layer, neuron) {
    return root + folder(model) + "/" + layer + "/" + neuron + ".html";
  }

  // Random neuron of this model, of this layer, or of any model in the site.
  function randomIn(scope) {
    var model = header.dataset.model;
    var layers = parseInt(header.dataset.layers, 10);
    var neurons = parseInt(header.dataset.neurons, 10);
    if (scope === "site" && models.length) {
      var m = models[pick(models.length)];
      return neuronUrl(m.name, pick(m.layers), pick(m.neurons));
    }
    var layer = scope === "layer" ? parseInt(location.pathname.split("/").slice(-2)[0], 10) : pick(layers);
    return neuronUrl(model, layer, pick(neurons));
  }

  // An SAE section's random link is the page's own: dead latents have no page, so a number may lead nowhere.
  if (header && !header.dataset.section) {
    [["random", "model"], ["random-layer", "layer"], ["random-site", "site"]].forEach(function (pair) {
      var link = document.getElementById(pair[0]);
      if (link) {
        link.addEventListener("click", function (event) {
          event.preventDefault();
          location.href = randomIn(pair[1]);
        });
      }
    });
  }

  // Keyboard: j/k next/previous neuron, l/h next/previous layer, r random, / search.
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName)) {
      return;
    }
    var go = { j: "next", k: "prev", l: "down", h: "up" }[event.key];
    if (go && document.getElementById(go)) {
      location.href = document.getElementById(go).href;
    } else if (event.key === "r" && header) {
      location.href = header.dataset.section ? document.getElementById("random").href : randomIn("model");
    } else if (event.key === "/") {
      event.preventDefault();
      var box = document.querySelector("input.search, input.filter");
      if (box) { box.focus(); } else { location.href = root + "search.html"; }
    }
  });

  // Token values and whole windows. A page carries its examples as coloured text; the values of each example
  // (12-bit steps of the neuron's scale) and the lengths of its tokens are in the layer's values file, the whole
  // top windows in the model's window store. Both are loaded by script tags on first use: fetch does not work
  // from file://.
  var DIGITS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  var loaded = {};
  var waiting = {};
  window.neurodexValues = function (model, layer, first, neurons) { arrived(model + "/" + layer + "/v" + first, neurons); };
  window.neurodexWindows = function (model, shard, windows) { arrived(model + "/w" + shard, windows); };
  function arrived(key, data) {
    loaded[key] = data;
    (waiting[key] || []).forEach(function (done) { done(data); });
    delete waiting[key];
  }
  function load(src, key, done) {
    if (loaded[key]) { done(loaded[key]); return; }
    if (!waiting[key]) {
      waiting[key] = [];
      var script = document.createElement("script");
      script.src = src;
      document.head.appendChild(script);
    }
    waiting[key].push(done);
  }
  function steps(text, scale) {
    var out = [];
    for (var i = 0; i < text.length; i += 2) {
      out.push(((DIGITS.indexOf(text[i]) << 6 | DIGITS.indexOf(text[i + 1])) - 2048) / 2047 * scale);
    }
    return out;
  }
  function colour(value, scale) { // as the pages' Palette: eight steps each way, white near zero
    var step = Math.ceil(Math.min(1, Math.abs(value) / scale) * 8 - 0.5);
    return step <= 0 ? "" : (value > 0 ? "p" : "n") + step;
  }
  var scale = header ? parseFloat(header.dataset.scale) : 1;
  var valuesFile = header ? header.dataset.values : null;
  var neuron = header ? parseInt(header.dataset.neuron, 10) : 0;
  function withValues(done) {
    var first = neuron - neuron % 64;
    load(valuesFile, header.dataset.model + "/" + header.dataset.layer + "/v" + first, function (neurons) {
      done(neurons[neuron - first]);
    });
  }
  // Control characters other than newline and tab as their Unicode pictures, one character each (as the pages
  // write them: render/TokenDisplay.inText), so nothing in a text is invisible and lengths stay as they were.
  function shown(token) {
    return token.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\u0080-\u009f]/g, function (c) {
      var code = c.charCodeAt(0);
      return code < 32 ? String.fromCharCode(0x2400 + code) : code === 127 ? "\u2421" : "\ufffd";
    });
  }
  // Rewrites an example's text as one span per token (data-p: window position), coloured from its values.
  function tokenize(example, tokens, from, entry) {
    var text = example.querySelector(".text");
    var kept = steps(entry[1], scale);
    var max = parseInt(example.dataset.m, 10);
    text.textContent = "";
    text.classList.toggle("l", from > 0);
    text.classList.toggle("r", from + tokens.length < (example.windowLength || Infinity));
    tokens.forEach(function (token, i) {
      var p = from + i, value = kept[p - entry[0]];
      var span = document.createElement("span");
      span.textContent = shown(token);
      span.dataset.p = p;
      span.className = (value === undefined ? "nk" : colour(value, scale)) + (p === max ? " m" : "");
      text.appendChild(span);
    });
  }
  function lengths(text) { // one base64url character per token, or "_" decimal ";" from 63 up
    var out = [];
    for (var i = 0; i < text.length; i++) {
      if (text[i] === "_") {
        var end = text.indexOf(";", i);
        out.push(parseInt(text.substring(i + 1, end), 10));
        i = end;
      } else {
        out.push(DIGITS.indexOf(text[i]));
      }
    }
    return out;
  }
  function contextTokens(example, entry) {
    var all = example.querySelector(".text").textContent; // the "…" are the stylesheet's, not text
    var tokens = [], at = 0;
    lengths(entry[2]).forEach(function (length) { tokens.push(all.substr(at, length)); at += length; });
    return tokens;
  }
  function upgrade(example, entry) {
    if (example.dataset.split) { return; }
    example.dataset.split = "1";
    // Whether the window goes on past what the page shows, from the page itself; its length is known once
    // the whole window has been loaded.
    if (!example.querySelector(".text").classList.contains("r")) {
      example.windowLength = parseInt(example.dataset.s, 10) + lengths(entry[2]).length;
    }
    example.context = contextTokens(example, entry);
    tokenize(example, example.context, parseInt(example.dataset.s, 10), entry);
  }
  var examples = document.querySelectorAll("ol.examples > li[data-s]"); // in page order, as the values file
  var upgraded = false;
  function upgradeAll(then) {
    withValues(function (entries) {
      if (!upgraded) {
        upgraded = true;
        examples.forEach(function (ex, i) { upgrade(ex, entries[i]); });
      }
      if (then) { then(entries); }
    });
  }
  if (header && valuesFile) {
    document.addEventListener("mouseover", function (event) {
      if (!upgraded && event.target.closest && event.target.closest("ol.examples .text")) { upgradeAll(); }
    });
    examples.forEach(function (example) {
      var key = example.dataset.w;
      var text = example.querySelector(".text");
      if (!key || !(text.classList.contains("l") || text.classList.contains("r"))) { return; } // all of it is shown
      var button = document.createElement("button");
      button.type = "button";
      button.className = "whole";
      button.textContent = "whole window";
      example.querySelector(".meta").appendChild(button);
      button.addEventListener("click", function () {
        upgradeAll(function (entries) {
          var entry = entries[Array.prototype.indexOf.call(examples, example)];
          if (example.dataset.whole === "1") {
            example.dataset.whole = "";
            button.textContent = "whole window";
            tokenize(example, example.context, parseInt(example.dataset.s, 10), entry);
            return;
          }
          var shard = key.split(".");
          load(root + folder(header.dataset.model) + "/windows/" + shard[0] + ".js",
              header.dataset.model + "/w" + shard[0], function (windows) {
                var window = windows[parseInt(shard[1], 10)];
                example.dataset.whole = "1";
                example.windowLength = window.length;
                button.textContent = "context only";
                tokenize(example, window, 0, entry);
              });
        });
      });
    });
  }
  var tip = null;
  document.addEventListener("mouseover", function (event) {
    var span = event.target.closest ? event.target.closest("ol.examples .text span[data-p]") : null;
    if (!span) {
      if (tip) { tip.remove(); tip = null; }
      return;
    }
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "tooltip";
      document.body.appendChild(tip);
    }
    var example = span.closest("ol.examples > li");
    withValues(function (entries) {
      var entry = entries[Array.prototype.indexOf.call(examples, example)];
      var value = steps(entry[1], scale)[parseInt(span.dataset.p, 10) - entry[0]];
      var exact = span.classList.contains("m") ? example.querySelector(".meta strong").textContent : null;
      tip.textContent = JSON.stringify(span.textContent) + "  " + (exact || (value === undefined ? "not kept"
          : value.toPrecision(3)));
    });
    var box = span.getBoundingClientRect();
    tip.style.left = (window.scrollX + box.left) + "px";
    tip.style.top = (window.scrollY + box.bottom + 4) + "px";
  });

  // Layer table: sort by any column, filter by text.
  var table = document.querySelector("table.neurons");
  if (table) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    table.querySelectorAll("th[data-sort]").forEach(function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = th.textContent;
      th.textContent = "";
      th.appendChild(button);
      button.addEventListener("click", function () {
        var index = Array.prototype.indexOf.call(th.parentNode.children, th);
        var numeric = th.dataset.sort === "number";
        var descending = th.getAttribute("aria-sort") !== "descending";
        table.querySelectorAll("th").forEach(function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", descending ? "descending" : "ascending");
        rows.sort(function (a, b) {
          var x = a.cells[index].dataset.v || a.cells[index].textContent;
          var y = b.cells[index].dataset.v || b.cells[index].textContent;
          var order = numeric ? parseFloat(x) - parseFloat(y) : x.localeCompare(y);
          return descending ? -order : order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
      });
    });
    var filter = document.querySelector("input.filter");
    if (filter) {
      filter.hidden = false;
      filter.addEventListener("input", function () {
        var needle = filter.value.trim().toLowerCase();
        rows.forEach(function (row) {
          row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) < 0;
        });
      });
    }
  }
  // Served by `neurodex serve`, a neuron page runs typed text through the model; from a file or a static host the
  // status request fails and nothing shows.
  var tryBox = document.querySelector("section.try");
  if (tryBox && header && /^https?:$/.test(location.protocol)) {
    fetch("/api/status").then(function (r) { return r.ok ? r.json() : null; }).then(function (status) {
      if (!status || !status.neurodex) {
        return;
      }
      tryBox.hidden = false;
      var out = tryBox.querySelector(".out");
      var at = tryBox.querySelector(".at");
      tryBox.querySelector("form").addEventListener("submit", function (event) {
        event.preventDefault();
        out.textContent = "running\u2026";
        at.textContent = "";
        fetch("/api/activations", {method: "POST", headers: {"Content-Type": "application/json"},
          body: JSON.stringify({model: header.dataset.model, layer: parseInt(header.dataset.layer, 10), neuron: neuron,
            text: tryBox.querySelector("textarea").value})})
          .then(function (r) { return r.json().then(function (j) { return {ok: r.ok, body: j}; }); })
          .then(function (res) {
            out.textContent = res.ok ? "" : res.body.error;
            if (!res.ok) {
              return;
            }
            res.body.tokens.forEach(function (token, i) {
              var value = res.body.values[i];
              var span = document.createElement("span");
              span.textContent = shown(token);
              span.className = colour(value, scale);
              span.dataset.v = value;
              span.title = JSON.stringify(token) + "  " + value.toFixed(4);
              span.addEventListener("click", function () { strongest(token, res.body.top[i]); });
              out.appendChild(span);
            });
            if (res.body.truncated) {
              out.appendChild(document.createTextNode(" [cut at one window]"));
            }
          }).catch(function () { out.textContent = "the server did not answer"; });
      });
      function strongest(token, top) {
        var section = header.dataset.section;
        at.textContent = "Strongest " + (section ? "latents" : "units") + " on " + JSON.stringify(token)
            + " (activation / its max over the corpus): ";
        var list = document.createElement("ol");
        top.forEach(function (t) {
          var item = document.createElement("li");
          var link = document.createElement("a");
          link.href = "../" + t[0] + "/" + t[1] + ".html";
          link.textContent = section ? section + "/" + t[1] : "L" + t[0] + "N" + t[1];
          item.appendChild(link);
          item.appendChild(document.createTextNode(" " + t[2].toFixed(3) + " (" + Math.round(t[3] * 100) + "%)"));
          list.appendChild(item);
        });
        at.appendChild(list);
      }
    }).catch(function () {});
  }
})();
