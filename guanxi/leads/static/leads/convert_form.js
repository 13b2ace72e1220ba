// The convert form's "existing customer" picker: the duplicate candidates come with
// the page; typing searches every customer the user may edit on the server.
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
