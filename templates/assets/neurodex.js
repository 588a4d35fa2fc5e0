// Enhancements only: every page reads and links without this file.
(function () {
  "use strict";
  var self = document.currentScript;
  var root = self ? self.src.replace(/assets\/neurodex\.js(\?.*)?$/, "") : "";
  var models = window.NEURODEX_MODELS || [];
  var header = document.querySelector("header.neuron");

  function pick(n) { return Math.floor(Math.random() * n); }

  function neuronUrl(model, layer, neuron) {
    return root + encodeURIComponent(model) + "/" + layer + "/" + neuron + ".html";
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

  if (header) {
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
      location.href = randomIn("model");
    } else if (event.key === "/") {
      event.preventDefault();
      var box = document.querySelector("input.search, input.filter");
      if (box) { box.focus(); } else { location.href = root + "search.html"; }
    }
  });

  // Hovering a token shows the token (whitespace visible) and its exact activation. The values sit in the
  // example's data-v, one per token span in window order (the .far and .more spans only group and mark).
  var TOKEN = "span:not(.far):not(.more)";
  function tokenValue(span) {
    var text = span.closest(".text[data-v]");
    var i = Array.prototype.indexOf.call(text.querySelectorAll(TOKEN), span);
    return text.dataset.v.split(" ")[i];
  }
  var tip = null;
  document.addEventListener("mouseover", function (event) {
    var span = event.target.closest ? event.target.closest(".text[data-v] " + TOKEN) : null;
    if (!span) {
      if (tip) { tip.remove(); tip = null; }
      return;
    }
    if (!tip) {
      tip = document.createElement("div");
      tip.className = "tooltip";
      document.body.appendChild(tip);
    }
    tip.textContent = JSON.stringify(span.textContent) + "  " + tokenValue(span);
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
})();
