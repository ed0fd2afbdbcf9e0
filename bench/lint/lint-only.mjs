// `zdm lint` from dist/ as tsc writes it, one module per source file (bin/zdm.js runs the esbuild
// bundle, dist/cli-bundle/), without commander like bin/zdm.js: shows what the bundle saves. Used by
// speed.ts and startup.ts.
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
