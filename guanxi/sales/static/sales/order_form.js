// Order lines on the order form: add/remove rows, default unit price from the
// customer's price list, a live (display-only) line total. The server computes
// the real totals; this only helps while typing.
document.addEventListener("alpine:init", () => {
  window.Alpine.data("orderLines", () => ({
    lines: [],
    nextKey: 0,
    priceUrl: "",
    init() {
      // In event handlers `this.$el` is the element that fired: keep the root's data.
      this.priceUrl = this.$el.dataset.priceUrl;
      const rows = JSON.parse(this.$el.dataset.lines || "[]");
      this.lines = rows.map((row) => this.makeLine(row));
      if (this.lines.length === 0) this.add();
    },
    makeLine(row) {
      this.nextKey += 1;
      return {
        key: this.nextKey,
        product: row.product || "",
        quantity: row.quantity || "1",
        unit_price: row.unit_price || "",
        discount_percent: row.discount_percent || "0",
        errors: row.errors || {},
      };
    },
    add() {
      this.lines.push(this.makeLine({}));
    },
    remove(index) {
      this.lines.splice(index, 1);
      if (this.lines.length === 0) this.add();
    },
    customerId() {
      const select = document.getElementById("id_customer");
      return select ? select.value : "";
    },
    async fillPrice(line) {
      line.errors = {};
      if (!line.product) return;
      const url = new URL(this.priceUrl, window.location.href);
      url.searchParams.set("product", line.product);
      url.searchParams.set("customer", this.customerId());
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      if (data.unit_price !== null) line.unit_price = data.unit_price;
    },
    lineTotal(line) {
      const quantity = parseFloat(line.quantity);
      const price = parseFloat(line.unit_price);
      const discount = parseFloat(line.discount_percent || "0");
      if (!isFinite(quantity) || !isFinite(price) || !isFinite(discount)) return "—";
      return (quantity * price * (100 - discount) / 100).toFixed(2);
    },
    orderTotal() {
      let sum = 0;
      for (const line of this.lines) {
        const value = parseFloat(this.lineTotal(line));
        if (isFinite(value)) sum += value;
      }
      return sum.toFixed(2);
    },
  }));
});

// The customer picker searches every customer in scope on the server (the page
// only carries the recent ones).
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
    load(query, callback) {
      fetch(`${url}?q=${encodeURIComponent(query)}`, { headers: { Accept: "application/json" } })
        .then((response) => response.json())
        .then((data) => callback(data.items))
        .catch(() => callback());
    },
  });
});
