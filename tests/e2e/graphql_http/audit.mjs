// Runs the graphql-http server audit (GraphQL over HTTP spec conformance) against a URL
// and prints one JSON document: every audit with its status, and counts per status.
//
//   node audit.mjs http://127.0.0.1:8000/graphql
//
// Credentials, when the server needs them, come from the environment and are added to
// every request the audit makes:
//   HUB_AUDIT_AUTHORIZATION  the whole Authorization header value, e.g. "Bearer <key>"
//   HUB_AUDIT_API_KEY        sent as X-API-Key
//
// Exit status: 0 when every MUST audit passed, 1 when some MUST audit failed, 2 when the
// audit could not run (bad arguments, server unreachable).
import { auditServer } from 'graphql-http';

const BODY_LIMIT = 500;

function credentialHeaders(env) {
  const headers = {};
  if (env.HUB_AUDIT_AUTHORIZATION) headers['authorization'] = env.HUB_AUDIT_AUTHORIZATION;
  if (env.HUB_AUDIT_API_KEY) headers['x-api-key'] = env.HUB_AUDIT_API_KEY;
  return headers;
}

function fetchWithHeaders(extra) {
  return (input, init = {}) => {
    const headers = new Headers(init.headers ?? (input instanceof Request ? input.headers : {}));
    for (const [name, value] of Object.entries(extra)) headers.set(name, value);
    return fetch(input, { ...init, headers });
  };
}

async function describeResponse(response) {
  if (!response) return undefined;
  let body;
  if (!response.bodyUsed) {
    try {
      body = (await response.text()).slice(0, BODY_LIMIT);
    } catch {
      body = undefined;
    }
  }
  return {
    status: response.status,
    contentType: response.headers.get('content-type'),
    body,
  };
}

async function main(argv, env) {
  const url = argv[0];
  if (!url || argv.length !== 1) {
    process.stderr.write('usage: node audit.mjs <graphql url>\n');
    return 2;
  }
  const results = await auditServer({ url, fetchFn: fetchWithHeaders(credentialHeaders(env)) });
  const audits = [];
  for (const result of results) {
    const entry = { id: result.id, name: result.name, status: result.status };
    if (result.status !== 'ok') {
      entry.reason = result.reason;
      entry.response = await describeResponse(result.response);
    }
    audits.push(entry);
  }
  const counts = { ok: 0, notice: 0, warn: 0, error: 0 };
  for (const { status } of audits) counts[status] += 1;
  process.stdout.write(JSON.stringify({ url, counts, audits }, null, 2) + '\n');
  return counts.error === 0 ? 0 : 1;
}

main(process.argv.slice(2), process.env).then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`the audit could not run: ${error?.stack ?? error}\n`);
    process.exit(2);
  },
);
