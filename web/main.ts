// Desktop entry: the root element decides between setup, sign-in and the desktop.
import "./shell/pc2-app.ts";
