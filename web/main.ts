// Desktop entry: registers the elements the page uses.
import "./shell/pc2-node-status.ts";
