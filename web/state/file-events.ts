// Live file events for the signed-in wallet, over the tab's shared connection: call `onChange`
// (debounced) whenever any of the wallet's files changes, and after a dropped connection comes back.
import type { NodeConnection } from "./node-connection.ts";

const FILE_EVENTS = ["item.added", "item.removed", "item.moved", "item.updated", "item.renamed"];

/** Start watching; resolves with the function that stops. Live updates are a nicety: failures are quiet. */
export async function watchFileChanges(connection: NodeConnection, onChange: () => void, debounceMs = 80): Promise<() => void> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const changed = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(onChange, debounceMs);
  };
  const offs = [...FILE_EVENTS.map((e) => connection.on(e, changed)), connection.onReopen(changed)];
  try {
    offs.push(await connection.subscribe("files"));
  } catch {
    /* the explorer still works without live updates */
  }
  return () => {
    if (timer) clearTimeout(timer);
    for (const off of offs) off();
  };
}
