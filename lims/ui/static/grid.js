// Grids of inputs that behave like a spreadsheet: a block pasted from one fills the cells
// from where it lands, and Enter moves down the column.  The RR study's readings and a job's
// worksheet use them.

const inputRows = (grid) => [...grid.tBodies[0].rows].map((row) => [...row.querySelectorAll("input")]);

/** A block copied from a spreadsheet (tabs between cells, a line per row) fills the grid
 * rightwards and downwards from the cell it is pasted into; the cells it filled are
 * returned (none for a single value, which the browser pastes as usual). */
export function pasteBlock(grid, event) {
  const pasted = event.clipboardData?.getData("text/plain") ?? "";
  if (!/[\t\n]/.test(pasted.trim())) return [];
  event.preventDefault();
  const rows = inputRows(grid);
  const start = event.target;
  const r0 = rows.findIndex((row) => row.includes(start));
  const c0 = rows[r0].indexOf(start);
  const filled = [];
  pasted
    .replace(/\r/g, "")
    .replace(/\n$/, "")
    .split("\n")
    .forEach((line, r) => {
      line.split("\t").forEach((value, c) => {
        const input = rows[r0 + r]?.[c0 + c];
        if (!input) return;
        input.value = value.trim();
        filled.push(input);
      });
    });
  return filled;
}

/** Enter in a cell moves to the cell below it, and from the last row to the top of the next
 * column, as a spreadsheet does; it never sends the form. */
export function enterMovesDown(grid, event) {
  if (event.key !== "Enter" || !event.target.matches("input")) return;
  event.preventDefault();
  const rows = inputRows(grid);
  const r = rows.findIndex((row) => row.includes(event.target));
  const c = rows[r].indexOf(event.target);
  const next = rows[r + 1]?.[c] ?? rows[0][c + 1];
  next?.focus();
  next?.select();
}
