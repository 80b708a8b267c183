// Runs graphql-http's server audits (the GraphQL-over-HTTP specification) against
// the URL given as the first argument; exits non-zero unless every audit passes.
import { serverAudits } from 'graphql-http';

const url = process.argv[2] ?? 'http://127.0.0.1:18080/graphql';
let ok = 0;
const failed = [];
for (const audit of serverAudits({ url, fetchFn: fetch })) {
  const result = await audit.fn();
  if (result.status === 'ok') {
    ok += 1;
  } else {
    failed.push(`${result.status.toUpperCase()} ${audit.id} ${audit.name}: ${result.reason}`);
  }
}
const total = ok + failed.length;
console.log(`graphql-http server audits: ${ok}/${total} passed`);
for (const line of failed) console.log(`  ${line}`);
process.exit(failed.length === 0 ? 0 : 1);
