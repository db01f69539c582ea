import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, Kind, parse, validate, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../../src/db/paths.js';
import { printGraphQLSchema } from '../../src/graphql/schema.js';
import { PENDING_OPERATIONS } from './pending.js';

const root = projectRoot();
const committedSchema = readFileSync(join(root, 'schema', 'schema.graphql'), 'utf8');
const contractCopy = readFileSync(join(root, 'test', 'contract', 'operations.graphql'), 'utf8');
const sharedContract = join(root, '..', 'shared', 'contract', 'operations.graphql');

const operations = parse(contractCopy).definitions.filter(
  (d): d is OperationDefinitionNode => d.kind === 'OperationDefinition',
);

describe('the outside contract', () => {
  it('commits the schema exactly as the code emits it (run `npm run schema:emit && npm run codegen`)', async () => {
    expect(committedSchema).toBe(await printGraphQLSchema());
  });

  it.runIf(existsSync(sharedContract))('keeps test/contract/operations.graphql identical to ../shared/contract', () => {
    expect(contractCopy).toBe(readFileSync(sharedContract, 'utf8'));
  });

  it('names only real contract operations as pending', () => {
    const names = operations.map((op) => op.name?.value);
    expect(PENDING_OPERATIONS.filter((name) => !names.includes(name))).toEqual([]);
  });

  const schema = buildSchema(committedSchema);
  for (const operation of operations) {
    const name = operation.name!.value;
    const errors = () => validate(schema, { kind: Kind.DOCUMENT, definitions: [operation, ...fragmentsOf(contractCopy)] });
    if (PENDING_OPERATIONS.includes(name)) {
      it(`${name} is pending, and does not validate yet (drop it from the pending list once it does)`, () => {
        expect(errors().length).toBeGreaterThan(0);
      });
    } else {
      it(`${name} validates against the emitted schema`, () => {
        expect(errors().map((e) => e.message)).toEqual([]);
      });
    }
  }
});

function fragmentsOf(source: string) {
  return parse(source).definitions.filter((d) => d.kind === 'FragmentDefinition');
}
