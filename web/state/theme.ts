// Light or dark: the system's choice unless the user picks one (kept in this browser). Applied as
// <html data-theme>, which the design tokens in styles/base.css follow.
export type ThemeChoice = "system" | "light" | "dark";

const KEY = "pc2.theme";
const prefersLight = () => matchMedia("(prefers-color-scheme: light)");

export function themeChoice(): ThemeChoice {
  const saved = localStorage.getItem(KEY);
  return saved === "light" || saved === "dark" ? saved : "system";
}

function apply(): void {
  const choice = themeChoice();
  document.documentElement.dataset.theme = choice === "system" ? (prefersLight().matches ? "light" : "dark") : choice;
}

export function setThemeChoice(choice: ThemeChoice): void {
  if (choice === "system") localStorage.removeItem(KEY);
  else localStorage.setItem(KEY, choice);
  apply();
}

/** Apply now, and follow the system while the choice is "system". */
export function startTheme(): void {
  apply();
  prefersLight().addEventListener("change", apply);
}
