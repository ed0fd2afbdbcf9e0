#!/usr/bin/env node
// Thin launcher: the CLI lives in src/cli, is compiled to dist/ and bundled into dist/cli-bundle/ by
// `npm install` (prepare) or `npm run build` (scripts/bundle-cli.mjs).
import { main } from '../dist/cli-bundle/main.js';

main(process.argv).then((code) => {
  process.exitCode = code;
});
