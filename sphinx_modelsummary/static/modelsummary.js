/* sphinx-modelsummary: a summary's composite rows open and close in the page.
   Without JavaScript every row shows; a table's data-open-depth says how deep rows start open. */
"use strict";
(() => {
  const toggle = (row, open) => {
    row.querySelector("button.modelsummary-toggle").setAttribute("aria-expanded", String(open));
    row.dataset.open = open ? "yes" : "no";
  };
  // A row shows when every composite row it is inside is open.
  const refresh = (table) => {
    const closed = []; // depths of the closed rows the walk is inside
    for (const row of table.querySelectorAll("tbody tr[data-depth]")) {
      const depth = Number(row.dataset.depth);
      while (closed.length && closed[closed.length - 1] >= depth) closed.pop();
      row.hidden = closed.length > 0;
      if (row.hasAttribute("data-holds") && row.dataset.open === "no") closed.push(depth);
    }
  };
  for (const table of document.querySelectorAll("table.modelsummary")) {
    const limit = table.dataset.openDepth === undefined ? Infinity : Number(table.dataset.openDepth);
    for (const row of table.querySelectorAll("tbody tr[data-holds]")) {
      const cell = row.querySelector("td[data-key=name]") || row.cells[0];
      const button = document.createElement("button");
      button.type = "button";
      button.className = "modelsummary-toggle";
      button.title = "Open or close the layers inside";
      button.addEventListener("click", () => {
        toggle(row, row.dataset.open !== "yes");
        refresh(table);
      });
      // after the indent (no-break spaces), before the name
      let name = cell.firstChild;
      if (name && name.nodeType === Node.TEXT_NODE) {
        const indent = name.data.length - name.data.replace(/^\u00a0+/, "").length;
        if (indent) name = indent < name.data.length ? name.splitText(indent) : name.nextSibling;
      }
      cell.insertBefore(button, name);
      toggle(row, Number(row.dataset.depth) < limit);
    }
    refresh(table);
  }
})();
