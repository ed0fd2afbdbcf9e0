import { beforeAll } from 'vitest';
import { loadParser } from '../../src/sql/parser.js';

// Planning functions parse SQL synchronously once the WASM parser is loaded; the CLI loads it in
// planFile() and the linter; tests that call the planner directly get it loaded here.
beforeAll(() => loadParser());
