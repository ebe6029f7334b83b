// What the desktop provides to every app inside it (Lit context): the signed-in user and the tab's
// one connection to the node.
import { createContext } from "@lit/context";
import type { User } from "../api/rest-client.ts";
import type { NodeConnection } from "./node-connection.ts";

export const connectionContext = createContext<NodeConnection>(Symbol("pc2-connection"));
export const userContext = createContext<User | null>(Symbol("pc2-user"));
