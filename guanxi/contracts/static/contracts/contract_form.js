// The contract form's customer picker searches every customer in scope on the server
// (the page only carries the chosen one).
document.addEventListener("DOMContentLoaded", () => {
  const select = document.querySelector("select[data-customer-search]");
  if (!select || select.disabled || typeof TomSelect === "undefined") return;
  const url = select.dataset.searchUrl;
  new TomSelect(select, {
    valueField: "value",
    labelField: "text",
    searchField: ["text"],
    maxOptions: 50,
    loadThrottle: 250,
    allowEmptyOption: true,
    load(query, callback) {
      fetch(`${url}?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } })
        .then((response) => response.json())
        .then((data) => callback(data.items))
        .catch(() => callback());
    },
  });
});
