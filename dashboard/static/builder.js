// Interview builder: add, remove and reorder questions in the page (the same buttons
// post to the server when this script is absent), drag by the handle, and show only
// the fields that apply to each question's kind. Nothing is saved until "Save".
(function () {
  "use strict";

  var form = document.getElementById("builder-form");
  var list = document.getElementById("question-list");
  var template = document.getElementById("question-template");
  if (!form || !list || !template) {
    return;
  }
  document.documentElement.classList.add("js");

  function rows() {
    return Array.prototype.slice.call(list.children);
  }

  function renumber() {
    rows().forEach(function (row, i) {
      var n = String(i + 1);
      row.querySelector(".q-number").textContent = n;
      row.querySelector("button[value^='up:']").setAttribute("aria-label", "Move question " + n + " up");
      row.querySelector("button[value^='down:']").setAttribute("aria-label", "Move question " + n + " down");
      row.querySelector("button[value^='remove:']").setAttribute("aria-label", "Remove question " + n);
    });
  }

  function announce(text) {
    var live = document.getElementById("builder-live");
    if (!live) {
      live = document.createElement("p");
      live.id = "builder-live";
      live.className = "visually-hidden";
      live.setAttribute("role", "status");
      form.appendChild(live);
    }
    live.textContent = text;
  }

  function nextKey() {
    var top = -1;
    rows().forEach(function (row) {
      var key = parseInt(row.getAttribute("data-key"), 10);
      if (!isNaN(key) && key > top) {
        top = key;
      }
    });
    return String(top + 1);
  }

  function addQuestion(kind) {
    var key = nextKey();
    var html = template.innerHTML.split("__KEY__").join(key).split("__NUMBER__").join("0");
    var holder = document.createElement("ol");
    holder.innerHTML = html.trim();
    var row = holder.firstElementChild;
    row.setAttribute("data-kind", kind);
    row.querySelector(".q-kind").value = kind;
    list.appendChild(row);
    makeDraggable(row);
    renumber();
    row.querySelector("textarea").focus();
    announce("Question " + rows().length + " added.");
  }

  function move(row, direction) {
    if (direction === "up" && row.previousElementSibling) {
      list.insertBefore(row, row.previousElementSibling);
    } else if (direction === "down" && row.nextElementSibling) {
      list.insertBefore(row.nextElementSibling, row);
    } else {
      return;
    }
    renumber();
    row.querySelector("button[value^='" + direction + ":']").focus();
    announce("Question moved to position " + (rows().indexOf(row) + 1) + ".");
  }

  form.addEventListener("click", function (event) {
    var button = event.target.closest("button[name='action']");
    if (!button) {
      return;
    }
    var parts = button.value.split(":");
    var verb = parts[0];
    if (verb === "add") {
      event.preventDefault();
      addQuestion(parts[1]);
      return;
    }
    var row = button.closest(".q-card");
    if (!row) {
      return; // save, languages: a real submit
    }
    event.preventDefault();
    if (verb === "up" || verb === "down") {
      move(row, verb);
    } else if (verb === "remove") {
      var number = rows().indexOf(row) + 1;
      row.parentNode.removeChild(row);
      renumber();
      document.getElementById("questions-heading").focus();
      announce("Question " + number + " removed.");
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target.classList.contains("q-kind")) {
      event.target.closest(".q-card").setAttribute("data-kind", event.target.value);
    }
  });

  // Dragging: only from the handle, so text in the fields can still be selected.
  var dragged = null;

  function makeDraggable(row) {
    var handle = row.querySelector(".q-handle");
    handle.addEventListener("mousedown", function () {
      row.setAttribute("draggable", "true");
    });
    row.addEventListener("dragstart", function (event) {
      dragged = row;
      row.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", row.getAttribute("data-key"));
    });
    row.addEventListener("dragend", function () {
      row.classList.remove("dragging");
      row.removeAttribute("draggable");
      dragged = null;
      renumber();
    });
  }

  list.addEventListener("dragover", function (event) {
    if (!dragged) {
      return;
    }
    event.preventDefault();
    var target = event.target.closest(".q-card");
    if (!target || target === dragged) {
      return;
    }
    var box = target.getBoundingClientRect();
    var after = event.clientY > box.top + box.height / 2;
    list.insertBefore(dragged, after ? target.nextSibling : target);
  });

  list.addEventListener("drop", function (event) {
    event.preventDefault();
  });

  rows().forEach(makeDraggable);
})();
