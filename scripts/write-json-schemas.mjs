// Part of `npm run build`: writes schema/*.json from the compiled zod schemas (src/migration/json-schema.ts).
import { mkdir, writeFile } from 'node:fs/promises';
import { jsonSchemas } from '../dist/migration/json-schema.js';

const dir = new URL('../schema/', import.meta.url);
await mkdir(dir, { recursive: true });
for (const [file, schema] of Object.entries(jsonSchemas()))
  await writeFile(new URL(file, dir), `${JSON.stringify(schema, null, 2)}\n`);
