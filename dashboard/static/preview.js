// Call preview: read each step aloud with the browser's speech synthesis.
(function () {
  "use strict";

  var script = document.querySelector(".script[data-lang]");
  if (!script || !("speechSynthesis" in window)) {
    return;
  }
  var lang = script.getAttribute("data-lang");
  var controls = document.querySelector("[data-speech-controls]");
  var fallback = document.querySelector("[data-no-speech]");
  controls.hidden = false;
  if (fallback) {
    fallback.hidden = true;
  }
  var buttons = Array.prototype.slice.call(document.querySelectorAll("button[data-say]"));
  buttons.forEach(function (b) {
    b.hidden = false;
  });

  function mark(button) {
    buttons.forEach(function (b) {
      b.removeAttribute("aria-pressed");
      b.closest(".script-step").classList.remove("speaking");
    });
    if (button) {
      button.setAttribute("aria-pressed", "true");
      button.closest(".script-step").classList.add("speaking");
    }
  }

  function speak(button, then) {
    var utterance = new SpeechSynthesisUtterance(button.getAttribute("data-say"));
    utterance.lang = lang;
    utterance.rate = 0.95;
    utterance.onstart = function () {
      mark(button);
    };
    utterance.onend = function () {
      mark(null);
      if (then) {
        then();
      }
    };
    window.speechSynthesis.speak(utterance);
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-say]");
    if (button) {
      window.speechSynthesis.cancel();
      speak(button);
      return;
    }
    if (event.target.closest("[data-play-all]")) {
      window.speechSynthesis.cancel();
      var i = 0;
      var next = function () {
        if (i < buttons.length) {
          speak(buttons[i++], next);
        }
      };
      next();
    } else if (event.target.closest("[data-stop]")) {
      window.speechSynthesis.cancel();
      mark(null);
    }
  });
})();
