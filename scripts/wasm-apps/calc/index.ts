// calc: evaluates an arithmetic expression given as arguments: + - * / % and parentheses, integers and decimals.
// Exit code 2 and a message on stderr for a malformed expression or a division by zero.
let src = "";
let pos = 0;
let failed = "";

function peek(): i32 {
  while (pos < src.length && src.charCodeAt(pos) == 32) pos++;
  return pos < src.length ? src.charCodeAt(pos) : -1;
}

function number(): f64 {
  const start = pos;
  while (pos < src.length && ((src.charCodeAt(pos) >= 48 && src.charCodeAt(pos) <= 57) || src.charCodeAt(pos) == 46)) pos++;
  if (start == pos) {
    failed = `expected a number at position ${start + 1}`;
    return 0;
  }
  return parseFloat(src.substring(start, pos));
}

function factor(): f64 {
  const c = peek();
  if (c == 45) {
    pos++;
    return -factor();
  }
  if (c == 40) {
    pos++;
    const v = expr();
    if (peek() != 41) failed = "missing )";
    else pos++;
    return v;
  }
  return number();
}

function term(): f64 {
  let v = factor();
  let c = peek();
  while (c == 42 || c == 47 || c == 37) {
    pos++;
    const r = factor();
    if ((c == 47 || c == 37) && r == 0) failed = "division by zero";
    v = c == 42 ? v * r : c == 47 ? v / r : v % r;
    c = peek();
  }
  return v;
}

function expr(): f64 {
  let v = term();
  let c = peek();
  while (c == 43 || c == 45) {
    pos++;
    v = c == 43 ? v + term() : v - term();
    c = peek();
  }
  return v;
}

src = process.argv.slice(1).join(" ");
if (src.length == 0) {
  process.stderr.write("usage: calc <expression>\n");
  process.exit(2);
}
const result = expr();
if (failed.length == 0 && peek() != -1) failed = `unexpected character at position ${pos + 1}`;
if (failed.length > 0) {
  process.stderr.write(`calc: ${failed}\n`);
  process.exit(2);
}
process.stdout.write((result == Math.floor(result) && Math.abs(result) < 1e15 ? (<i64>result).toString() : result.toString()) + "\n");
