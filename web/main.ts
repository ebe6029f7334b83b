// Desktop entry: the theme first (no flash of the wrong one), then the root element decides between
// setup, sign-in and the desktop.
import { startTheme } from "./state/theme.ts";
import "./shell/pc2-app.ts";

startTheme();
