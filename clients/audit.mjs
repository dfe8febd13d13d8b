// The GraphQL-over-HTTP audit (npm graphql-http, its serverAudits) against a running API:
//   node audit.mjs http://127.0.0.1:8000/graphql
// Prints one JSON object: how many audits passed and every one that did not; exits 1 if any failed.
import { auditServer } from 'graphql-http';

const url = process.argv[2];
if (!url) {
  console.error('usage: node audit.mjs <graphql url>');
  process.exit(2);
}
const results = await auditServer({ url });
const failed = results
  .filter((result) => result.status !== 'ok')
  .map(({ id, name, status, reason }) => ({ id, name, status, reason }));
console.log(JSON.stringify({ total: results.length, ok: results.length - failed.length, failed }, null, 1));
process.exit(failed.length ? 1 : 0);
