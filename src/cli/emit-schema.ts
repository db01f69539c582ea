import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from '../db/paths.js';
import { printGraphQLSchema } from '../graphql/schema.js';

/** Writes schema/schema.graphql from the code-first schema (`npm run schema:emit`). */
const file = join(projectRoot(), 'schema', 'schema.graphql');
await writeFile(file, await printGraphQLSchema());
console.log(`wrote ${file}`);
