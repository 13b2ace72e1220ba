// Guanxi's small client helpers. Behaviour lives on the server (htmx); this only
// wires widgets that need JavaScript.
document.addEventListener("DOMContentLoaded", initWidgets);
document.addEventListener("htmx:afterSettle", initWidgets);

function initWidgets() {
  if (typeof TomSelect === "undefined") return;
  document.querySelectorAll("select[data-tom-select]:not(.tomselected)").forEach((el) => {
    new TomSelect(el, { plugins: el.multiple ? ["remove_button"] : [], maxOptions: 500 });
  });
}

// Select-all checkbox for bulk actions on lists.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!box.matches("[data-select-all]")) return;
  document.querySelectorAll(box.dataset.selectAll).forEach((item) => { item.checked = box.checked; });
});
