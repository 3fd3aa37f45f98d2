// The lab's notation in scripts, as the server's filters write it (lims/ui/rendering.py):
// units as the lab writes them, k to two decimals and days in the page's language.
const language = document.documentElement.lang || "fi";

// The ASCII spellings a record may keep (lims/units.py reads them all) and how they print.
const SYMBOLS = {
  um: "µm",
  "μm": "µm",
  urad: "µrad",
  degC: "°C",
  delta_degC: "Δ°C",
  deg: "°",
  degree: "°",
  permille: "‰",
  "%RH": "% RH",
  Nm: "N·m",
  "N*m": "N·m",
  ohm: "Ω",
};

/** A unit as the lab writes it: um -> µm, degC -> °C, permille -> ‰, um/m -> µm/m. */
export function unitSymbol(unit) {
  if (!unit) return "";
  if (SYMBOLS[unit]) return SYMBOLS[unit];
  return unit
    .split("/")
    .map((part) => SYMBOLS[part] ?? part)
    .join("/");
}

/** k as every statement prints it, to two decimals (2,00 in Finnish, never 2,0001). */
export function formatCoverageFactor(value) {
  if (value === null || value === undefined || !Number.isFinite(value)) return "–";
  return new Intl.NumberFormat(language, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(value);
}

/** A calendar day (an ISO date or its milliseconds) in the page's language: 5.3.2026. */
export function formatDay(day) {
  // The day is a date, not an instant: read and write it in UTC so no time zone moves it.
  const when = typeof day === "number" ? new Date(day) : new Date(`${day}T00:00:00Z`);
  return when.toLocaleDateString(language, { timeZone: "UTC" });
}
