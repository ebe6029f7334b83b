// wordcount: lines, words and bytes like `wc` ("<lines> <words> <bytes> <name>"): of every file in
// /input with a total line when there are several, or of stdin when no files are mounted.
import { listFiles, preopen, readFile } from "../fs";
import { readStdin } from "../stdin";

function count(bytes: Uint8Array): i64[] {
  let lines: i64 = 0;
  let words: i64 = 0;
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
  return [lines, words, bytes.length];
}

const input = preopen("/input");
const names = input >= 0 ? listFiles(input) : [];
if (names.length == 0) {
  const c = count(readStdin());
  process.stdout.write(`${c[0]} ${c[1]} ${c[2]}\n`);
} else {
  const total: i64[] = [0, 0, 0];
  for (let i = 0; i < names.length; i++) {
    const c = count(readFile(input, names[i]));
    for (let j = 0; j < 3; j++) total[j] += c[j];
    process.stdout.write(`${c[0]} ${c[1]} ${c[2]} ${names[i]}\n`);
  }
  if (names.length > 1) process.stdout.write(`${total[0]} ${total[1]} ${total[2]} total\n`);
}
