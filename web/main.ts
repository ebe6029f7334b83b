// Desktop entry: the theme first (no flash of the wrong one), then the root element decides between
// setup, sign-in and the desktop; and the service worker for zip downloads.
import { startTheme } from "./state/theme.ts";
import "./shell/pc2-app.ts";

startTheme();

// Zip downloads show their progress (web/download-worker.ts); browsers allow service workers in
// secure contexts only, and the desktop works the same without one.
if (isSecureContext && "serviceWorker" in navigator)
  navigator.serviceWorker.register("/download-worker.js", { scope: "/api/files/" }).catch((err) => console.warn("zip download progress is off:", err));
