// The meeting form: when the customer changes, offer that customer's contacts
// (the contacts picker is a Tom Select created by guanxi.js).
document.addEventListener("DOMContentLoaded", () => {
  const customer = document.querySelector("select[name=customer]");
  const contacts = document.querySelector("select[name=contacts]");
  if (!customer || !contacts) return;
  const url = contacts.dataset.contactsUrl;
  customer.addEventListener("change", () => {
    const picker = contacts.tomselect;
    const id = customer.value;
    const fill = (items) => {
      if (picker) {
        picker.clear(true);
        picker.clearOptions();
        picker.addOptions(items.map((item) => ({ value: String(item.value), text: item.text })));
        picker.refreshOptions(false);
      } else {
        contacts.innerHTML = "";
        items.forEach((item) => contacts.add(new Option(item.text, item.value)));
      }
    };
    if (!id) return fill([]);
    fetch(`${url}?customer=${encodeURIComponent(id)}`, { headers: { Accept: "application/json" } })
      .then((response) => response.json())
      .then((data) => fill(data.items))
      .catch(() => fill([]));
  });
});
