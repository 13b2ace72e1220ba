// Quote lines on the quote form: add/remove rows, a product fills description,
// unit and the customer's price; free-text lines have no product. Amounts and
// totals shown here only help while typing: the server computes the real ones
// (same rounding: half up to cents per line, then discount, then tax).
document.addEventListener("alpine:init", () => {
  window.Alpine.data("quoteLines", () => ({
    lines: [],
    products: {},
    nextKey: 0,
    priceUrl: "",
    init() {
      this.priceUrl = this.$el.dataset.priceUrl;
      this.products = JSON.parse(this.$el.dataset.products || "{}");
      const rows = JSON.parse(this.$el.dataset.lines || "[]");
      this.lines = rows.map((row) => this.makeLine(row));
      if (this.lines.length === 0) this.add();
    },
    makeLine(row) {
      this.nextKey += 1;
      return {
        key: this.nextKey,
        product: row.product || "",
        description: row.description || "",
        quantity: row.quantity || "1",
        unit: row.unit || "",
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
    async pickProduct(line) {
      line.errors = {};
      const product = this.products[line.product];
      if (!product) return;
      line.description = product.name;
      line.unit = product.unit;
      const url = new URL(this.priceUrl, window.location.href);
      url.searchParams.set("product", line.product);
      url.searchParams.set("customer", this.customerId());
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (!response.ok) return;
      const data = await response.json();
      if (data.unit_price !== null) line.unit_price = data.unit_price;
    },
    cents(value) {
      return Math.round(value * 100 + Number.EPSILON) / 100;
    },
    field(name) {
      const input = document.getElementById(name);
      const value = parseFloat(input ? input.value : "0");
      return isFinite(value) ? value : 0;
    },
    lineValue(line) {
      const quantity = parseFloat(line.quantity);
      const price = parseFloat(line.unit_price);
      const discount = parseFloat(line.discount_percent || "0");
      if (!isFinite(quantity) || !isFinite(price) || !isFinite(discount)) return null;
      // What the server will refuse shows no amount rather than a misleading one.
      if (quantity <= 0 || price < 0 || discount < 0 || discount > 100) return null;
      return this.cents((quantity * price * (100 - discount)) / 100);
    },
    lineAmount(line) {
      const value = this.lineValue(line);
      return value === null ? "—" : value.toFixed(2);
    },
    subtotal() {
      // Touch the header inputs so Alpine re-evaluates on their "input" events.
      this.revision;
      return this.lines.reduce((sum, line) => sum + (this.lineValue(line) || 0), 0);
    },
    discount() {
      return this.cents((this.subtotal() * this.field("id_discount_percent")) / 100);
    },
    tax() {
      return this.cents(((this.subtotal() - this.discount()) * this.field("id_tax_rate")) / 100);
    },
    total() {
      return this.subtotal() - this.discount() + this.tax();
    },
    revision: 0,
  }));
});

document.addEventListener("DOMContentLoaded", () => {
  // Header percentages live outside the Alpine component: nudge it when they change.
  for (const id of ["id_discount_percent", "id_tax_rate"]) {
    const input = document.getElementById(id);
    const editor = document.querySelector("[x-data=quoteLines]");
    if (input && editor) {
      input.addEventListener("input", () => {
        window.Alpine.$data(editor).revision += 1;
      });
    }
  }

  // The customer picker searches every customer in scope; picking one reloads
  // the contact and opportunity choices.
  const select = document.querySelector("select[data-customer-search]");
  const contact = document.getElementById("id_contact");
  const opportunity = document.getElementById("id_opportunity");
  const fill = (target, items) => {
    if (!target) return;
    target.replaceChildren(new Option("—", ""));
    for (const item of items || []) target.append(new Option(item.text, item.value));
  };
  const loadContacts = (customerId) => {
    if (!contact && !opportunity) return;
    const url = new URL(select.dataset.contactsUrl, window.location.href);
    url.searchParams.set("customer", customerId || "");
    fetch(url, { headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((data) => {
        fill(contact, data.items);
        fill(opportunity, data.opportunities);
      })
      .catch(() => {});
  };
  if (!select || select.disabled) return;
  if (typeof TomSelect === "undefined") {
    select.addEventListener("change", () => loadContacts(select.value));
    return;
  }
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
    onChange(value) {
      loadContacts(value);
    },
  });
});
