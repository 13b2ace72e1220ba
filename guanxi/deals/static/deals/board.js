// The opportunity board: drag a card to another column (SortableJS) and the move is
// posted with htmx.ajax carrying the card's version and its new neighbours. The server
// answers with the saved card and fresh column headers (data-oob). A refused move
// (someone else changed the card, or a lost reason is missing) puts the card back
// where it really is and shows the server's message. "Move to…" on each card is the
// keyboard and phone fallback.
(() => {
  "use strict";
  const sortables = [];

  function board() { return document.getElementById("board"); }

  function init() {
    const root = board();
    if (!root || typeof Sortable === "undefined") return;
    root.dataset.ready = "1";
    while (sortables.length) sortables.pop().destroy();
    const canMove = !!root.querySelector("[data-move-open]");
    if (!canMove) return;
    root.querySelectorAll(".board-cards").forEach((list) => {
      sortables.push(Sortable.create(list, {
        group: "board",
        animation: 120,
        draggable: ".board-card",
        delay: 180,
        delayOnTouchOnly: true,
        onEnd: onDrop,
      }));
    });
  }

  function revertFn(card, from, oldIndex) {
    return () => {
      const siblings = Array.from(from.querySelectorAll(":scope > .board-card")).filter((c) => c !== card);
      from.insertBefore(card, siblings[oldIndex] || null);
    };
  }

  function onDrop(evt) {
    if (evt.from === evt.to && evt.oldIndex === evt.newIndex) return;
    const card = evt.item;
    const revert = revertFn(card, evt.from, evt.oldIndex);
    const isLost = evt.to.dataset.stageKind === "lost" && evt.from !== evt.to;
    if (isLost) {
      askReason().then((reason) => {
        if (reason === null) revert(); else send(card, evt.to.dataset.stageId, reason, revert);
      });
    } else {
      send(card, evt.to.dataset.stageId, "", revert);
    }
  }

  function neighbour(card, direction) {
    let node = direction === "after" ? card.previousElementSibling : card.nextElementSibling;
    while (node && !node.classList.contains("board-card")) {
      node = direction === "after" ? node.previousElementSibling : node.nextElementSibling;
    }
    return node ? node.dataset.id : "";
  }

  function filterValues() {
    const values = {};
    const form = document.getElementById("board-filters");
    if (!form) return values;
    new FormData(form).forEach((value, key) => { if (key !== "pipeline") values[key] = value; });
    return values;
  }

  function send(card, stageId, reason, revert) {
    const root = board();
    card.classList.add("is-saving");
    const values = Object.assign(filterValues(), {
      stage: stageId,
      version: card.dataset.version,
      after: neighbour(card, "after"),
      before: neighbour(card, "before"),
      lost_reason: reason,
    });
    const url = `${root.dataset.cardBase}${card.dataset.id}/move/`;
    htmx.ajax("POST", url, {
      source: card,
      swap: "none",
      values,
      handler: (_elt, info) => applyResult(info.xhr, card, revert),
    });
  }

  function applyResult(xhr, card, revert) {
    card.classList.remove("is-saving");
    const doc = new DOMParser().parseFromString(xhr.responseText || "", "text/html");
    const result = doc.getElementById("move-result");
    if (!result) {
      revert();
      showMessage(xhr.status >= 500 ? "Server error" : xhr.statusText || "Error");
      return;
    }
    doc.querySelectorAll("[data-oob]").forEach((node) => {
      const items = node.id ? [node] : Array.from(node.querySelectorAll(":scope > [id]"));
      items.forEach((item) => {
        const current = document.getElementById(item.id);
        if (current) current.replaceWith(document.importNode(item, true));
      });
    });
    const fresh = document.importNode(result.content.firstElementChild, true);
    if (result.dataset.status !== "ok") {
      revert();
      const column = board().querySelector(`.board-cards[data-stage-id="${fresh.dataset.stageId}"]`);
      if (column && card.parentElement !== column) column.prepend(card);
      if (!column) { card.remove(); return; }
    }
    card.replaceWith(fresh);
    htmx.process(fresh);
  }

  function showMessage(text) {
    const box = document.getElementById("board-message");
    if (!box) return;
    box.innerHTML = "";
    const alert = document.createElement("div");
    alert.className = "alert alert-danger";
    alert.setAttribute("role", "alert");
    alert.dataset.testid = "board-message";
    alert.textContent = text;
    box.appendChild(alert);
  }

  // --- the dialog: lost reason after a drop, or "Move to…" from a card -------------------
  function dialogParts() {
    const dialog = document.getElementById("move-dialog");
    return {
      dialog,
      stageField: dialog.querySelector("[data-move-stage-field]"),
      stage: dialog.querySelector("#move-stage"),
      reasonField: dialog.querySelector("[data-lost-reason-field]"),
      reason: dialog.querySelector("#lost-reason"),
      error: dialog.querySelector("[data-lost-reason-error]"),
    };
  }

  function syncReason(parts) {
    const option = parts.stage.selectedOptions[0];
    parts.reasonField.hidden = !(option && option.dataset.kind === "lost") && !parts.stageField.hidden;
  }

  function openDialog({ withStage, stageId }) {
    const parts = dialogParts();
    parts.stageField.hidden = !withStage;
    if (stageId) parts.stage.value = stageId;
    parts.reason.value = "";
    parts.reason.classList.remove("is-invalid");
    parts.reasonField.hidden = withStage;
    if (withStage) syncReason(parts);
    return new Promise((resolve) => {
      const form = parts.dialog.querySelector("form");
      const cancel = parts.dialog.querySelector("[data-dialog-cancel]");
      const finish = (value) => {
        form.removeEventListener("submit", onSubmit);
        cancel.removeEventListener("click", onCancel);
        parts.dialog.removeEventListener("cancel", onCancel);
        parts.stage.removeEventListener("change", onChange);
        if (parts.dialog.open) parts.dialog.close();
        resolve(value);
      };
      const onChange = () => syncReason(parts);
      const onCancel = (event) => { event.preventDefault(); finish(null); };
      const onSubmit = (event) => {
        event.preventDefault();
        const needsReason = !parts.reasonField.hidden;
        const reason = parts.reason.value.trim();
        if (needsReason && !reason) {
          parts.reason.classList.add("is-invalid");
          parts.reason.focus();
          return;
        }
        finish({ stageId: parts.stage.value, reason });
      };
      form.addEventListener("submit", onSubmit);
      cancel.addEventListener("click", onCancel);
      parts.dialog.addEventListener("cancel", onCancel);
      parts.stage.addEventListener("change", onChange);
      parts.dialog.showModal();
      (withStage ? parts.stage : parts.reason).focus();
    });
  }

  function askReason() {
    return openDialog({ withStage: false }).then((answer) => (answer ? answer.reason : null));
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("[data-move-open]");
    if (!button) return;
    const card = button.closest(".board-card");
    openDialog({ withStage: true, stageId: card.dataset.stageId }).then((answer) => {
      if (!answer || answer.stageId === card.dataset.stageId) return;
      const from = card.parentElement;
      const oldIndex = Array.from(from.querySelectorAll(":scope > .board-card")).indexOf(card);
      const target = board().querySelector(`.board-cards[data-stage-id="${answer.stageId}"]`);
      if (!target) return;
      target.prepend(card);
      send(card, answer.stageId, answer.reason, revertFn(card, from, oldIndex));
      card.focus();
    });
  });

  document.addEventListener("DOMContentLoaded", init);
  document.addEventListener("htmx:afterSettle", () => {
    const root = board();
    if (root && !root.dataset.ready) init();
  });
})();
