// Sorts the posts table when a column header is clicked and filters its rows by the words typed
// (every word must appear in the row). Reads the rendered cells only; without it the table is a table.
(() => {
  const table = document.getElementById("post-table");
  if (!table) return;
  const body = table.tBodies[0];
  const rows = Array.from(body.rows, (tr) => ({ tr, text: tr.textContent.toLowerCase() }));
  const filter = document.getElementById("post-filter");
  const count = document.getElementById("post-count");
  const total = rows.length.toLocaleString("en");
  const showCount = (shown) => {
    count.textContent = shown === rows.length ? `${total} posts` : `${shown.toLocaleString("en")} of ${total} posts`;
  };
  filter.addEventListener("input", () => {
    const words = filter.value.toLowerCase().split(/\s+/).filter(Boolean);
    let shown = 0;
    for (const row of rows) {
      const hit = words.every((word) => row.text.includes(word));
      row.tr.hidden = !hit;
      shown += hit ? 1 : 0;
    }
    showCount(shown);
  });
  const number = (text) => {
    const value = parseFloat(text.replace(/[^0-9.-]/g, ""));
    return Number.isNaN(value) ? -Infinity : value; // blank cells sort below every number
  };
  const headers = Array.from(table.tHead.rows[0].cells);
  headers.forEach((th, column) => {
    const button = document.createElement("button");
    button.type = "button";
    button.textContent = th.textContent;
    th.replaceChildren(button);
    button.addEventListener("click", () => {
      const up = th.getAttribute("aria-sort") !== "ascending";
      const numeric = th.dataset.type === "num";
      const keyed = rows.map((row) => {
        const text = row.tr.cells[column].textContent.trim();
        return [numeric ? number(text) : text.toLowerCase(), row.tr];
      });
      keyed.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0) * (up ? 1 : -1));
      for (const other of headers) other.removeAttribute("aria-sort");
      th.setAttribute("aria-sort", up ? "ascending" : "descending");
      const ordered = document.createDocumentFragment();
      for (const [, tr] of keyed) ordered.append(tr);
      body.append(ordered);
    });
  });
  showCount(rows.length);
  document.getElementById("post-tools").hidden = false;
})();
