// Screenline review: keyboard shortcuts, playback speed, silence skipping, waveforms,
// and links to a moment (#t=12.5&answer=3). app.js keeps transcript seeking and
// highlighting; this file only adds to it.
(function () {
  "use strict";

  var RATE_KEY = "screenline.playbackRate";
  var SKIP_KEY = "screenline.skipSilences";
  var RATES = ["1", "1.5", "2"];
  var MIN_SKIP = 1.5; // seconds: shorter pauses are part of speaking
  var silences = {}; // player id -> [[start, end], ...] (or "loading")

  function store(key, value) {
    try {
      window.localStorage.setItem(key, value);
    } catch (e) {
      /* private mode: settings last for this page only */
    }
  }

  function recall(key) {
    try {
      return window.localStorage.getItem(key);
    } catch (e) {
      return null;
    }
  }

  function players() {
    return Array.prototype.slice.call(document.querySelectorAll("audio"));
  }

  // The status line; `error` marks a refusal or failure (styled, and read as an error).
  function status(text, error) {
    var node = document.getElementById("review-status");
    if (node) {
      node.textContent = text;
      node.classList.toggle("is-error", !!error);
    }
  }

  // ------------------------------------------------------------ speed

  function currentRate() {
    var saved = recall(RATE_KEY);
    return RATES.indexOf(saved) >= 0 ? saved : "1";
  }

  function applyRate(rate) {
    players().forEach(function (player) {
      player.defaultPlaybackRate = parseFloat(rate);
      player.playbackRate = parseFloat(rate);
    });
    var radio = document.querySelector('input[name="playback-rate"][value="' + rate + '"]');
    if (radio) {
      radio.checked = true;
    }
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.name === "playback-rate" && target.checked) {
      store(RATE_KEY, target.value);
      applyRate(target.value);
      status("Playback speed " + target.value + "×");
    } else if (target.id === "skip-silences") {
      store(SKIP_KEY, target.checked ? "1" : "0");
    }
  });

  // ------------------------------------------------------------ silences

  function skipping() {
    var box = document.getElementById("skip-silences");
    return box ? box.checked : false;
  }

  function loadSilences(player) {
    var url = player.getAttribute("data-silences");
    if (!url || silences[player.id]) {
      return;
    }
    silences[player.id] = "loading";
    fetch(url, { credentials: "same-origin" })
      .then(function (response) {
        return response.ok ? response.json() : { silences: [] };
      })
      .then(function (data) {
        silences[player.id] = (data.silences || []).filter(function (span) {
          return span[1] - span[0] >= MIN_SKIP;
        });
      })
      .catch(function () {
        silences[player.id] = [];
      });
  }

  function skipSilence(player) {
    var spans = silences[player.id];
    if (!skipping() || !Array.isArray(spans) || player.paused) {
      return;
    }
    var now = player.currentTime;
    for (var i = 0; i < spans.length; i++) {
      if (now >= spans[i][0] && now < spans[i][1] - 0.25) {
        player.currentTime = spans[i][1];
        status("Skipped " + Math.round(spans[i][1] - now) + " s of silence");
        return;
      }
    }
  }

  // ------------------------------------------------------------ waveform

  function waveformFor(player) {
    return document.querySelector('[data-waveform-for="' + player.id + '"]');
  }

  function drawProgress(player) {
    var wave = waveformFor(player);
    var length = lengthOf(player);
    if (!wave || !length) {
      return;
    }
    var bar = wave.querySelector(".waveform-progress");
    if (bar) {
      bar.style.width = Math.min(100, (100 * player.currentTime) / length) + "%";
    }
  }

  // The player's length: its own once loaded, else the page's figure (preload="none"
  // loads nothing before a play; a position set before then is where playing starts).
  function lengthOf(player) {
    if (player.duration && isFinite(player.duration)) {
      return player.duration;
    }
    var given = parseFloat(player.getAttribute("data-duration"));
    return given > 0 ? given : 0;
  }

  document.addEventListener("click", function (event) {
    var wave = event.target.closest("[data-waveform-for]");
    if (!wave) {
      return;
    }
    var player = document.getElementById(wave.getAttribute("data-waveform-for"));
    var length = player ? lengthOf(player) : 0;
    if (!length) {
      return;
    }
    var box = wave.getBoundingClientRect();
    var fraction = Math.max(0, Math.min(1, (event.clientX - box.left) / box.width));
    player.currentTime = fraction * length;
    drawProgress(player);
    setCurrent(player.closest("[data-answer-card]"), false);
  });

  // ------------------------------------------------------------ media events

  document.addEventListener(
    "play",
    function (event) {
      var player = event.target;
      if (player.tagName !== "AUDIO") {
        return;
      }
      player.playbackRate = parseFloat(currentRate());
      loadSilences(player);
      setCurrent(player.closest("[data-answer-card]"), false);
    },
    true
  );

  document.addEventListener(
    "timeupdate",
    function (event) {
      if (event.target.tagName === "AUDIO") {
        skipSilence(event.target);
        drawProgress(event.target);
      }
    },
    true
  );

  document.addEventListener(
    "seeked",
    function (event) {
      if (event.target.tagName === "AUDIO") {
        drawProgress(event.target);
      }
    },
    true
  );

  // ------------------------------------------------------------ the current answer

  function cards() {
    return Array.prototype.slice.call(document.querySelectorAll("[data-answer-card]"));
  }

  function currentCard() {
    return document.querySelector("[data-answer-card].is-current") || startCard();
  }

  // Where review starts: the first answer that can be played and scored (a recording),
  // else the first that can be scored (a transcript without audio), else the first, so
  // Space and 1-5 work at once when the interview opens with a keypad question.
  function startCard() {
    var all = cards();
    var canScore = all.filter(scorable);
    var playable = canScore.filter(function (card) {
      return card.querySelector("audio");
    });
    return playable[0] || canScore[0] || all[0] || null;
  }

  function setCurrent(card, focus) {
    if (!card) {
      return;
    }
    cards().forEach(function (other) {
      other.classList.toggle("is-current", other === card);
    });
    rememberCurrent(card);
    if (focus) {
      card.focus({ preventScroll: true });
      card.scrollIntoView({ block: "start", behavior: "smooth" });
    }
  }

  // A reload comes back to the current answer: the address names it (#answer-<id>),
  // replaced rather than pushed so Back still leaves the page. A link to a moment in
  // this answer (#t=12.5&answer=<id>) is left as it is.
  function rememberCurrent(card) {
    var hash = "#" + card.id;
    var now = window.location.hash;
    var moment = /(^#|&)t=/.test(now) && now.indexOf("answer=" + card.id.replace("answer-", "")) >= 0;
    if (!card.id || now === hash || moment || !window.history.replaceState) {
      return;
    }
    window.history.replaceState(window.history.state, "", hash);
  }

  function move(step) {
    var all = cards();
    if (!all.length) {
      return;
    }
    var index = all.indexOf(currentCard());
    var next = all[Math.max(0, Math.min(all.length - 1, index + step))];
    if (index !== -1 && next === all[index]) {
      // At either end: stay (marked current even if only the start card was), say so,
      // and leave playback alone.
      setCurrent(next, true);
      status(step > 0
        ? "This is the last answer. Shift+N opens the next unreviewed candidate."
        : "This is the first answer.");
      return;
    }
    goTo(next, "");
  }

  // Make `card` current and scroll to it, as j and k do: what was playing pauses and
  // `card`'s own recording plays on; the status line names the question, after `said`.
  function goTo(card, said) {
    var all = cards();
    var playing = players().some(function (p) {
      return !p.paused;
    });
    players().forEach(function (p) {
      p.pause();
    });
    setCurrent(card, true);
    var heading = card.querySelector(".question-prompt");
    status(said + "Question " + (all.indexOf(card) + 1) + " of " + all.length +
      (heading ? ": " + heading.textContent.trim() : ""));
    var player = card.querySelector("audio");
    if (playing && player) {
      play(player);
    }
  }

  function scorable(card) {
    return !!card.querySelector("form.score-form");
  }

  // Whether a score key goes on to the next answer: the reviewer's own setting, which
  // the page gives on the toolbar (on unless it says "off").
  function advancing() {
    var bar = document.querySelector("[data-advance-after-score]");
    return !bar || bar.getAttribute("data-advance-after-score") !== "off";
  }

  // After `card` was scored with a key: with the setting on, go to the next answer that
  // can be scored; after the last one, stay and say whether any answer is still unscored.
  function afterScore(card, digit) {
    var all = cards();
    var said = "Scored " + digit + " for question " + (all.indexOf(card) + 1) + ".";
    if (!advancing() || currentCard() !== card) {
      // Off, or the reviewer moved on while the score was saving: stay where they are.
      status(said);
      return;
    }
    var next = all.slice(all.indexOf(card) + 1).filter(scorable)[0];
    if (next) {
      goTo(next, said + " ");
      return;
    }
    var unscored = all.filter(function (other) {
      return scorable(other) && !other.querySelector('form.score-form input[type="radio"]:checked');
    }).map(function (other) {
      return all.indexOf(other) + 1;
    });
    status(said + (unscored.length
      ? " This is the last answer to score; not scored yet: question " + unscored.join(", ") + "."
      : " All answers scored.") + " Shift+N opens the next unreviewed candidate.");
  }

  function play(player) {
    var started = player.play();
    if (started && typeof started.catch === "function") {
      started.catch(function () {});
    }
  }

  function togglePlay() {
    var card = currentCard();
    var player = card && card.querySelector("audio");
    if (!player) {
      return;
    }
    setCurrent(card, false);
    if (player.paused) {
      play(player);
    } else {
      player.pause();
    }
  }

  function score(digit) {
    var card = currentCard();
    var form = card && card.querySelector("form.score-form");
    if (!form) {
      status("This answer cannot be scored.");
      return;
    }
    var radio = form.querySelector('input[type="radio"][value="' + digit + '"]');
    if (!radio) {
      return;
    }
    var before = form.querySelector('input[type="radio"]:checked');
    radio.checked = true;
    status("Saving score " + digit + "…");
    // Accept: application/json asks the server for JSON (scoring.py): a redirect would
    // be followed here, logging a page view and using up the flash.
    fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-Requested-With": "fetch" },
      redirect: "error",
    })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        var body = type.indexOf("application/json") >= 0 ? response.json() : Promise.resolve({});
        return body.then(function (data) {
          if (!response.ok || !data.saved) {
            throw new Error(data.message || "");
          }
        });
      })
      .then(function () {
        card.setAttribute("data-scored", digit);
        var button = form.querySelector('button[type="submit"]');
        if (button) {
          button.textContent = "Update score";
        }
        afterScore(card, digit);
      })
      .catch(function (error) {
        radio.checked = false;
        if (before) {
          before.checked = true;
        }
        status((error && error.message) || "The score was not saved. Use the Save button.", true);
      });
  }

  function typing(target) {
    if (!target || !target.tagName) {
      return false;
    }
    if (target.isContentEditable) {
      return true;
    }
    var tag = target.tagName;
    if (tag === "TEXTAREA" || tag === "SELECT") {
      return true;
    }
    if (tag === "INPUT") {
      var kind = (target.type || "text").toLowerCase();
      return ["checkbox", "radio", "button", "submit", "reset", "range", "file"].indexOf(kind) < 0;
    }
    return false;
  }

  function help(open) {
    var dialog = document.getElementById("shortcuts");
    if (!dialog || typeof dialog.showModal !== "function") {
      return;
    }
    if (open && !dialog.open) {
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
    }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-shortcuts-open]")) {
      help(true);
      return;
    }
    var copy = event.target.closest("[data-copy]");
    if (copy) {
      var field = document.getElementById(copy.getAttribute("data-copy"));
      if (field) {
        field.select();
        if (navigator.clipboard) {
          navigator.clipboard.writeText(field.value).catch(function () {});
        }
        copy.textContent = "Copied";
      }
      return;
    }
    var card = event.target.closest("[data-answer-card]");
    if (card) {
      setCurrent(card, false);
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.defaultPrevented || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (typing(event.target)) {
      return;
    }
    var dialog = document.getElementById("shortcuts");
    if (dialog && dialog.open) {
      return; // the dialog handles Escape itself
    }
    var key = event.key;
    var target = event.target;
    if (key === " " || key === "Spacebar") {
      // Buttons, links and the native player keep their own Space, except the
      // transcript lines and speed buttons, where Space means play/pause as elsewhere.
      var native = target.closest && target.closest("a, button, audio, input, summary");
      if (native && !native.matches("button[data-seek], input[name=playback-rate]")) {
        return;
      }
      event.preventDefault();
      togglePlay();
    } else if (key === "j" || key === "n") {
      event.preventDefault();
      move(1);
    } else if (key === "k" || key === "p") {
      event.preventDefault();
      move(-1);
    } else if (key === "N") {
      var next = document.querySelector("[data-next-candidate]");
      if (next) {
        event.preventDefault();
        window.location.assign(next.href);
      }
    } else if (/^[1-5]$/.test(key)) {
      if (document.querySelector("[data-next-candidate]")) {
        event.preventDefault();
        score(key);
      }
    } else if (key === "?") {
      event.preventDefault();
      help(true);
    }
  });

  // ------------------------------------------------------------ a link to a moment

  function seekFromHash() {
    var hash = window.location.hash.replace(/^#/, "");
    if (hash.indexOf("t=") < 0) {
      return;
    }
    var params = {};
    hash.split("&").forEach(function (pair) {
      var parts = pair.split("=");
      params[parts[0]] = decodeURIComponent(parts[1] || "");
    });
    var time = parseFloat(params.t);
    var card = params.answer
      ? document.getElementById("answer-" + params.answer)
      : currentCard();
    var player = card && card.querySelector("audio");
    if (!player || !isFinite(time)) {
      return;
    }
    setCurrent(card, true);
    var go = function () {
      player.currentTime = time;
      status("Jumped to " + Math.floor(time / 60) + ":" +
        ("0" + Math.floor(time % 60)).slice(-2) + " in question " +
        (cards().indexOf(card) + 1) + ". Press Space to play.");
    };
    // Before anything is loaded (preload="none") the position is kept as where playing
    // will start; loading now would fetch the audio, which the server counts as a play.
    go();
  }

  function init() {
    applyRate(currentRate());
    var box = document.getElementById("skip-silences");
    if (box) {
      box.checked = recall(SKIP_KEY) !== "0";
    }
    // After "Save score" (or a comment) the page comes back at #answer-<id>: keep
    // reviewing from that answer, not from the first.
    keepClearOfToolbar();
    var named = cardFromHash();
    if (named) {
      setCurrent(named, false);
      // The browser scrolled to the card before the toolbar's height was known.
      named.scrollIntoView({ block: "start" });
    } else {
      if (startCard() && !document.querySelector("[data-answer-card].is-current")) {
        startCard().classList.add("is-current");
      }
      // Any other anchor (#decision, #overall after their "Save"): the same, so the
      // section and the confirmation flashed in it start below the toolbar.
      var target = targetFromHash();
      if (target) {
        target.scrollIntoView({ block: "start" });
      }
    }
    seekFromHash();
  }

  // The element a plain #<id> hash names (not a #t= seek), or null.
  function targetFromHash() {
    var id = window.location.hash.replace(/^#/, "");
    if (!id || id.indexOf("=") >= 0) {
      return null;
    }
    try {
      return document.getElementById(decodeURIComponent(id));
    } catch (e) {
      return null; // a malformed %-escape names nothing
    }
  }

  // The review toolbar sticks to the top of the window: a card scrolled to (a link to
  // #answer-<id>, j or k) starts below it, not under it (app.css reads this height).
  function keepClearOfToolbar() {
    var bar = document.querySelector(".review-toolbar");
    var sticky = bar && window.getComputedStyle(bar).position === "sticky";
    document.documentElement.style.setProperty(
      "--review-toolbar-height",
      sticky ? bar.offsetHeight + "px" : "0px"
    );
  }

  // The answer card a #answer-<id> hash names, or null (no hash, another anchor, or an
  // answer that is not on this page).
  function cardFromHash() {
    var match = /^#answer-(\d+)$/.exec(window.location.hash);
    var card = match && document.getElementById("answer-" + match[1]);
    return card && card.hasAttribute("data-answer-card") ? card : null;
  }

  window.addEventListener("resize", keepClearOfToolbar);
  window.addEventListener("hashchange", function () {
    var named = cardFromHash();
    if (named) {
      setCurrent(named, false);
    }
    seekFromHash();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
