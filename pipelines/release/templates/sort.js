// League tables you can sort: each column heading of a table with class "sortable" becomes a
// button; pressing it sorts the rows by that column (again: the other way) and says so with
// aria-sort. Without scripts the table stays as it is written: already ranked, best first.
// Cells sort by their data-sort value if they have one, else by their text: numbers as
// numbers, "–" (no value) and "not ranked" last whichever the direction.
(function () {
  "use strict";
  function key(cell, numeric) {
    var text = cell.hasAttribute("data-sort") ? cell.getAttribute("data-sort") : cell.textContent.trim();
    if (!numeric) return text.toLowerCase();
    var number = parseFloat(text.replace(/,/g, ""));
    return isNaN(number) ? null : number;
  }
  function compare(a, b) {
    if (a === b) return 0;
    return a < b ? -1 : 1;
  }
  document.querySelectorAll("table.sortable").forEach(function (table) {
    var body = table.tBodies[0];
    var headings = table.tHead.rows[0].cells;
    var hint = document.createElement("p");
    hint.className = "note";
    hint.textContent = "Select a column heading to sort the table by it; select it again to reverse.";
    table.parentNode.insertBefore(hint, table);
    Array.prototype.forEach.call(headings, function (heading, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort";
      while (heading.firstChild) button.append(heading.firstChild);
      heading.append(button);
      button.addEventListener("click", function () {
        var numeric = heading.classList.contains("num");
        var direction = heading.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
        var sign = direction === "ascending" ? 1 : -1;
        var rows = Array.prototype.slice.call(body.rows).map(function (row, place) {
          return [key(row.cells[column], numeric), place, row];
        });
        rows.sort(function (a, b) {
          if (a[0] === null || b[0] === null) {
            return a[0] === b[0] ? a[1] - b[1] : (a[0] === null ? 1 : -1);
          }
          return sign * compare(a[0], b[0]) || a[1] - b[1];
        });
        rows.forEach(function (entry) { body.append(entry[2]); });
        Array.prototype.forEach.call(headings, function (other) { other.removeAttribute("aria-sort"); });
        heading.setAttribute("aria-sort", direction);
      });
    });
  });
})();
