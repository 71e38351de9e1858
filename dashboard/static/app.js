// Screenline dashboard: transcript lines seek the answer's player; one player at a time;
// an error page's way back to a form goes back in history.
(function () {
  "use strict";

  function seek(button) {
    var player = document.getElementById(button.getAttribute("data-player"));
    var time = parseFloat(button.getAttribute("data-seek"));
    if (!player || !isFinite(time)) {
      return;
    }
    player.currentTime = time;
    var playing = player.play();
    if (playing && typeof playing.catch === "function") {
      playing.catch(function () {}); // autoplay refused: the position is still set
    }
  }

  function highlight(player) {
    var list = document.getElementById(player.getAttribute("data-transcript"));
    if (!list) {
      return;
    }
    var now = player.currentTime;
    var buttons = list.querySelectorAll("[data-seek]");
    for (var i = 0; i < buttons.length; i++) {
      var start = parseFloat(buttons[i].getAttribute("data-seek"));
      var end = parseFloat(buttons[i].getAttribute("data-end"));
      if (now >= start && now < Math.max(end, start + 0.01)) {
        buttons[i].setAttribute("aria-current", "true");
      } else {
        buttons[i].removeAttribute("aria-current");
      }
    }
  }

  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-seek]");
    if (button && !button.disabled) {
      seek(button);
    }
  });

  // Media events do not bubble, so listen in the capture phase.
  document.addEventListener(
    "play",
    function (event) {
      var players = document.querySelectorAll("audio");
      for (var i = 0; i < players.length; i++) {
        if (players[i] !== event.target) {
          players[i].pause();
        }
      }
    },
    true
  );

  ["timeupdate", "seeked"].forEach(function (name) {
    document.addEventListener(
      name,
      function (event) {
        if (event.target.matches && event.target.matches("audio[data-transcript]")) {
          highlight(event.target);
        }
      },
      true
    );
  });

  // The Account menu (a <details>; its panel is the .account after it) closes as menus
  // do: on Escape, focus back on its button, and on a click elsewhere on the page.
  var menu = document.querySelector("details.account-menu");
  if (menu) {
    document.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && menu.open) {
        menu.open = false;
        menu.querySelector("summary").focus();
      }
    });
    document.addEventListener("click", function (event) {
      if (menu.open && !menu.contains(event.target) && !event.target.closest(".account")) {
        menu.open = false;
      }
    });
  }

  // An error page's way back to a form (a[data-history-back]) is a link that opens the
  // form's page again, empty. With a page to go back to, it goes back in history instead,
  // as the Back button does, so the form keeps what was typed; its label says so.
  var back = document.querySelector("a[data-history-back]");
  if (back && window.history.length > 1) {
    back.textContent = back.getAttribute("data-history-back");
    back.addEventListener("click", function (event) {
      event.preventDefault();
      window.history.back();
    });
  }

  // Where the nav scrolls sideways (an administrator's links at 721 to about 780px; a
  // phone's wrap instead): bring the current page's link into view.
  var nav = document.querySelector(".mainnav");
  var current = nav && nav.querySelector("[aria-current=page]");
  if (current && nav.scrollWidth > nav.clientWidth) {
    var from = nav.getBoundingClientRect().left;
    var link = current.getBoundingClientRect();
    nav.scrollLeft += link.left - from - (nav.clientWidth - link.width) / 2;
  }
})();
