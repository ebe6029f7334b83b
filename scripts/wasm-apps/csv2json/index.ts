// csv2json: each CSV file in /input (RFC 4180; the first row names the columns) becomes a JSON
// array of objects in /output/<name>.json. Plain numbers become JSON numbers; everything else text.
// A malformed file (an unclosed quote, a row with the wrong number of fields) stops with exit code 1.
import { listFiles, preopen, readFile, writeFile } from "../fs";

let failure = "";
let converted = 0;

/** Records of fields; sets `failure` and returns what it has on malformed input. */
function parse(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let i = 0;
  let quoted = false;
  let line = 1;
  let quoteLine = 1;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (quoted) {
      if (c == 34 && i + 1 < text.length && text.charCodeAt(i + 1) == 34) {
        field += '"';
        i += 2;
        continue;
      }
      if (c == 34) quoted = false;
      else {
        if (c == 10) line++;
        field += String.fromCharCode(c);
      }
      i++;
      continue;
    }
    if (c == 34 && field.length == 0) {
      quoted = true;
      quoteLine = line;
    }
    else if (c == 44) {
      row.push(field);
      field = "";
    } else if (c == 10 || c == 13) {
      if (c == 13 && i + 1 < text.length && text.charCodeAt(i + 1) == 10) i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      line++;
    } else field += String.fromCharCode(c);
    i++;
  }
  if (quoted) {
    failure = `a quoted field is not closed (from line ${quoteLine})`;
    return rows;
  }
  if (field.length > 0 || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function isNumber(s: string): bool {
  let i = 0;
  if (i < s.length && s.charCodeAt(i) == 45) i++;
  const intStart = i;
  while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
  const intLen = i - intStart;
  if (intLen == 0 || (intLen > 1 && s.charCodeAt(intStart) == 48)) return false;
  if (i < s.length && s.charCodeAt(i) == 46) {
    i++;
    const fracStart = i;
    while (i < s.length && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    if (i == fracStart) return false;
  }
  return i == s.length && intLen <= 15;
}

function jsonString(s: string): string {
  let out = '"';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c == 34) out += '\\"';
    else if (c == 92) out += "\\\\";
    else if (c == 10) out += "\\n";
    else if (c == 13) out += "\\r";
    else if (c == 9) out += "\\t";
    else if (c < 32) out += "\\u00" + (c < 16 ? "0" : "") + c.toString(16);
    else out += String.fromCharCode(c);
  }
  return out + '"';
}

function toJson(rows: string[][], name: string): string {
  const header = rows[0];
  const parts: string[] = [];
  for (let r = 1; r < rows.length; r++) {
    const row = rows[r];
    if (row.length == 1 && row[0].length == 0) continue; // a blank line
    if (row.length != header.length) {
      failure = `${name} row ${r + 1}: expected ${header.length} fields, got ${row.length}`;
      return "";
    }
    const fields: string[] = [];
    for (let f = 0; f < row.length; f++) fields.push(`${jsonString(header[f])}: ${isNumber(row[f]) ? row[f] : jsonString(row[f])}`);
    parts.push(`  {${fields.join(", ")}}`);
    converted++;
  }
  return parts.length == 0 ? "[]\n" : `[\n${parts.join(",\n")}\n]\n`;
}

const input = preopen("/input");
const output = preopen("/output");
const names = input >= 0 ? listFiles(input) : [];
if (names.length == 0 || output < 0) {
  process.stderr.write("csv2json: choose one or more .csv files as input\n");
  process.exit(2);
}
for (let i = 0; i < names.length; i++) {
  const name = names[i];
  if (!name.toLowerCase().endsWith(".csv")) {
    process.stderr.write(`csv2json: skipping ${name} (not .csv)\n`);
    continue;
  }
  const rows = parse(String.UTF8.decode(readFile(input, name).buffer));
  if (failure.length == 0 && rows.length == 0) failure = `${name} is empty`;
  converted = 0;
  const json = failure.length == 0 ? toJson(rows, name) : "";
  if (failure.length > 0) {
    process.stderr.write(`csv2json: ${failure.startsWith(name) ? failure : name + ": " + failure}\n`);
    process.exit(1);
  }
  const out = name.substring(0, name.length - 4) + ".json";
  writeFile(output, out, Uint8Array.wrap(String.UTF8.encode(json)));
  process.stdout.write(`${name} -> ${out}: ${converted} rows\n`);
}
