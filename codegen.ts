import type { CodegenConfig } from '@graphql-codegen/cli';
import type { DocumentNode } from 'graphql';
import { PENDING_OPERATIONS } from './test/contract/pending.js';

/** Leaves out the contract's operations whose feature has not landed (they do not validate yet). */
const withoutPendingOperations = {
  transform: ({ documents }: { documents: { document?: DocumentNode }[] }) =>
    documents.map((file) => ({
      ...file,
      document: file.document && {
        ...file.document,
        definitions: file.document.definitions.filter(
          (d) => !(d.kind === 'OperationDefinition' && d.name && PENDING_OPERATIONS.includes(d.name.value)),
        ),
      },
    })),
};

const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: ['test/contract/operations.graphql', 'test/operations/*.graphql'],
  ignoreNoDocuments: true,
  generates: {
    'test/generated/graphql.ts': {
      plugins: ['typescript-operations', 'typed-document-node'],
      documentTransforms: [withoutPendingOperations],
      config: {
        useTypeImports: true,
        enumsAsTypes: true,
        avoidOptionals: { field: true, inputValue: false },
        scalars: { DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
