// GraphQL Code Generator over the committed schema and every operation document: the types a
// TypeScript client (the console, a web app) compiles against. Output is not committed.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../graphql/schema.graphql',
  documents: ['../graphql/operations/*.graphql'],
  generates: {
    'generated/operations.ts': {
      plugins: ['typescript', 'typescript-operations'],
      config: { enumsAsTypes: true, avoidOptionals: true, scalars: { DateTime: 'string', Date: 'string', JSON: 'unknown' } },
    },
  },
};

export default config;
