// Fails when 1% or more of the lines of src/**/*.ts are over 120 characters (issue 16). Prettier
// wraps code at 120 but leaves long strings and comments alone: wrap a message as a concatenation
// of shorter literals, a comment over several lines. Multi-line SQL in template literals counts too.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const WIDTH = 120;
const LIMIT = 0.01;

function tsFiles(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

let lines = 0;
const long = new Map();
for (const file of tsFiles('src')) {
  const text = readFileSync(file, 'utf8').split('\n');
  if (text.at(-1) === '') text.pop();
  lines += text.length;
  const n = text.filter((l) => l.length > WIDTH).length;
  if (n > 0) long.set(file, n);
}
const total = [...long.values()].reduce((a, b) => a + b, 0);
const share = total / lines;
const summary = `${total} of ${lines} lines in src/ over ${WIDTH} characters (${(share * 100).toFixed(2)}%, limit ${LIMIT * 100}%)`;
if (share >= LIMIT) {
  const worst = [...long].sort((a, b) => b[1] - a[1]).slice(0, 10);
  console.error(`${summary}; most in:\n${worst.map(([f, n]) => `  ${n} ${f}`).join('\n')}`);
  process.exit(1);
}
console.log(summary);
