// Enhancements only: every page works without this file.
(function () {
  "use strict";
  var header = document.querySelector("header.neuron");
  var random = document.getElementById("random");
  if (header && random) {
    random.addEventListener("click", function (event) {
      var layers = parseInt(header.dataset.layers, 10);
      var neurons = parseInt(header.dataset.neurons, 10);
      var layer = Math.floor(Math.random() * layers);
      var neuron = Math.floor(Math.random() * neurons);
      event.preventDefault();
      window.location.href = "../" + layer + "/" + neuron + ".html";
    });
  }
})();
