// A chat bot on the terminal: each line read from stdin is a turn of one conversation with the
// node's AI, the reply streamed back as it is written. Ends at end of input.
//   PC2_URL=… PC2_TOKEN=… bun client/examples/chat-bot.ts [--model=local/…]
import { Pc2Client } from "../pc2-client.ts";

const model = process.argv.find((a) => a.startsWith("--model="))?.slice("--model=".length);
const client = new Pc2Client(process.env.PC2_URL ?? "http://127.0.0.1:4100", process.env.PC2_TOKEN ?? "");
let conversationId: string | undefined;
let turns = 0;
for await (const line of console) {
  const message = line.trim();
  if (!message) continue;
  process.stdout.write("bot: ");
  const reply = await client.ai.chat(message, { model, conversationId, onToken: (t) => process.stdout.write(t) });
  conversationId = reply.conversationId;
  turns++;
  process.stdout.write(`\n[${reply.usage.tokens} tokens, ${reply.reason}]\n`);
}
console.log(`${turns} turns in conversation ${conversationId ?? "(none)"}`);
await client.close();
