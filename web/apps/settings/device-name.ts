// A session's device in words ("Chrome 131 on Linux"), from its User-Agent header, by ua-parser-js.
import { UAParser } from "ua-parser-js";

export function deviceName(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const r = new UAParser(userAgent).getResult();
  const browser = [r.browser.name, r.browser.major].filter(Boolean).join(" ");
  const os = [r.os.name, r.os.version && !/^\d{2,}\./.test(r.os.version) ? r.os.version : ""].filter(Boolean).join(" ");
  const device = r.device.model ? `${r.device.vendor ? `${r.device.vendor} ` : ""}${r.device.model}` : "";
  if (!browser && !os) return userAgent.split(/[\s/]/)[0]!.slice(0, 40) || "Unknown device";
  return [browser || "A browser", os || device ? `on ${[device, os].filter(Boolean).join(", ")}` : ""].filter(Boolean).join(" ");
}
