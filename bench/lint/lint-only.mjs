// `zdm lint` without the rest of the CLI: the built lint command alone (no commander, no other
// commands registered), to show what the CLI around it costs. Used by speed.ts.
import { runLint } from '../../dist/cli/actions/lint.js';

const [, , ...args] = process.argv;
const formatAt = args.indexOf('--format');
const format = formatAt >= 0 ? args[formatAt + 1] : 'text';
const paths = args.filter((a, i) => i !== formatAt && i !== formatAt + 1);
const io = {
  stdout: (t) => void process.stdout.write(t),
  stderr: (t) => void process.stderr.write(t),
  env: process.env,
  cwd: process.cwd(),
  signal: new AbortController().signal,
  stdoutIsTTY: Boolean(process.stdout.isTTY),
  stderrIsTTY: Boolean(process.stderr.isTTY),
};
process.exitCode = await runLint(io, paths, { format });
