// Subscriptions driven by a real third-party client: graphql-ws (the reference
// implementation of the graphql-transport-ws protocol) against /graphql/ws of the
// built server with its demo data. A supervisor follows an event; an edit over
// HTTP must reach the subscriber with the new risk; a forged token must be closed
// with 4403. Usage: node subscriptions.mjs http://127.0.0.1:PORT/graphql
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const url = process.argv[2];
const wsUrl = url.replace(/^http/, "ws") + "/ws";
const fail = (message) => {
  console.error(`subscriptions: FAILED: ${message}`);
  process.exit(1);
};

async function graphql(query, variables, token) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors) fail(`${query}: ${JSON.stringify(body.errors)}`);
  return body.data;
}

const login = await graphql(
  "mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }",
  { e: "supervisor@marseille.example", p: "demo-supervisor-2026" },
);
const token = login.login.accessToken;
const agenda = await graphql(
  "{ agenda(days: 14) { events { id status expectedAttendance assessment { id risk } } } }",
  {},
  token,
);
const event = agenda.agenda
  .flatMap((day) => day.events)
  .find((e) => e.assessment && e.status !== "CANCELLED");
if (!event) fail("no assessed event in the demo agenda");

const client = createClient({
  url: wsUrl,
  webSocketImpl: WebSocket,
  connectionParams: { Authorization: `Bearer ${token}` },
  retryAttempts: 0,
  lazy: false,
});
const updates = client.iterate({
  query:
    "subscription($id: ID!) { assessmentUpdated(eventId: $id) { id eventId risk triggeredBy } }",
  variables: { id: event.id },
});
// Let the subscription start before the edit.
await new Promise((resolve) => setTimeout(resolve, 500));
const sentAt = performance.now();
const edited = await graphql(
  "mutation($id: ID!, $n: Int!) { updateEvent(id: $id, input: { expectedAttendance: $n }) { event { assessment { id risk } } } }",
  { id: event.id, n: event.expectedAttendance * 3 + 500 },
  token,
);
const stored = edited.updateEvent.event.assessment;
const timer = setTimeout(() => fail("no update within 20 s"), 20000);
const { value } = await updates.next();
clearTimeout(timer);
const pushed = value.data?.assessmentUpdated;
if (!pushed) fail(`unexpected message ${JSON.stringify(value)}`);
if (pushed.id !== stored.id || pushed.risk !== stored.risk) {
  fail(`pushed ${JSON.stringify(pushed)}, stored ${JSON.stringify(stored)}`);
}
console.log(
  `subscriptions: graphql-ws received the new assessment of event ${event.id} (risk ${pushed.risk}, "${pushed.triggeredBy}") ${(performance.now() - sentAt).toFixed(0)} ms after the edit was sent`,
);
await updates.return();
await client.dispose();

// A forged token is refused in connection_init with 4403.
const code = await new Promise((resolve) => {
  const forged = createClient({
    url: wsUrl,
    webSocketImpl: WebSocket,
    connectionParams: { Authorization: "Bearer forged" },
    retryAttempts: 0,
    lazy: false,
    on: { closed: (event) => resolve(event.code) },
  });
  setTimeout(() => {
    forged.dispose();
    resolve("none");
  }, 10000);
});
if (code !== 4403) fail(`a forged token closed with ${code}, expected 4403`);
console.log("subscriptions: a forged token is closed with 4403");
process.exit(0);
