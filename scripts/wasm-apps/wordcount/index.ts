// wordcount: lines, words and bytes of stdin, like `wc` ("<lines> <words> <bytes>").
import { readStdin } from "../stdin";

const bytes = readStdin();
let lines = 0;
let words = 0;
let inWord = false;
for (let i = 0; i < bytes.length; i++) {
  const c = bytes[i];
  if (c == 10) lines++;
  if (c == 32 || c == 9 || c == 10 || c == 13) inWord = false;
  else if (!inWord) {
    inWord = true;
    words++;
  }
}
process.stdout.write(`${lines} ${words} ${bytes.length}\n`);
