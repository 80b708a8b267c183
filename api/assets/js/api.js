// The page's client of the public GraphQL API: the same endpoint, permissions and
// audit as any other client. The session lives in this tab's storage only.

const ENDPOINT = "/graphql";
const STORE = "platform.session";

/** A GraphQL error the page shows: its message and stable code. */
export class ApiError extends Error {
  constructor(message, code, path) {
    super(message);
    this.code = code || "ERROR";
    this.path = path || null;
  }
}

/** The stored session: `{ kind: "user" | "token", accessToken, refreshToken?, expiresAt? }`. */
export function session() {
  try {
    return JSON.parse(sessionStorage.getItem(STORE) || "null");
  } catch {
    return null;
  }
}

function store(value) {
  if (value) sessionStorage.setItem(STORE, JSON.stringify(value));
  else sessionStorage.removeItem(STORE);
}

/** Sends one operation; resolves to `{ data, errors }` (errors already typed). */
export async function request(query, variables = {}, { retry = true } = {}) {
  const current = session();
  if (retry && current && current.kind === "user" && current.expiresAt && Date.parse(current.expiresAt) - Date.now() < 15_000) {
    await refresh();
  }
  const headers = {
    "Content-Type": "application/json",
    Accept: "application/graphql-response+json, application/json",
  };
  const token = session()?.accessToken;
  if (token) headers.Authorization = `Bearer ${token}`;
  let response;
  try {
    response = await fetch(ENDPOINT, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  } catch {
    throw new ApiError("Le serveur ne répond pas. Vérifiez la connexion puis réessayez.", "NETWORK");
  }
  let body;
  try {
    body = await response.json();
  } catch {
    throw new ApiError(`Réponse illisible du serveur (HTTP ${response.status}).`, "BAD_RESPONSE");
  }
  const errors = (body.errors || []).map((e) => new ApiError(e.message, e.extensions?.code, e.path));
  if (retry && errors.some((e) => e.code === "UNAUTHENTICATED") && session()?.kind === "user") {
    if (await refresh()) return request(query, variables, { retry: false });
  }
  if (errors.some((e) => e.code === "UNAUTHENTICATED") && session()) {
    store(null);
    window.dispatchEvent(new CustomEvent("platform:signed-out"));
  }
  return { data: body.data ?? null, errors };
}

/** Like `request`, but throws the first error when there is no data at all. */
export async function query(text, variables) {
  const { data, errors } = await request(text, variables);
  if (!data && errors.length) throw errors[0];
  return { data, errors };
}

/** Sends a mutation and throws its first error. */
export async function mutate(text, variables) {
  const { data, errors } = await request(text, variables);
  if (errors.length) throw errors[0];
  return data;
}

const LOGIN = `mutation Connexion($email: String!, $password: String!) {
  login(email: $email, password: $password) { accessToken accessTokenExpiresAt refreshToken }
}`;
const REFRESH = `mutation Renouvellement($token: String!) {
  refreshToken(token: $token) { accessToken accessTokenExpiresAt refreshToken }
}`;
const LOGOUT = `mutation Deconnexion($token: String) { logout(refreshToken: $token) }`;

/** Logs a person in. */
export async function login(email, password) {
  store(null);
  const data = await mutate(LOGIN, { email, password });
  const auth = data.login;
  store({ kind: "user", accessToken: auth.accessToken, refreshToken: auth.refreshToken, expiresAt: auth.accessTokenExpiresAt });
}

/** Uses a partner agency's token: it is checked by asking who it is. */
export async function useToken(token) {
  store({ kind: "token", accessToken: token.trim() });
  const { data, errors } = await request(`query Partenaire { me { actor scopes } }`, {}, { retry: false });
  if (!data?.me) {
    store(null);
    throw errors[0] || new ApiError("Jeton refusé.", "UNAUTHENTICATED");
  }
}

let refreshing = null;
async function refresh() {
  const current = session();
  if (!current?.refreshToken) return false;
  refreshing ||= (async () => {
    const { data } = await request(REFRESH, { token: current.refreshToken }, { retry: false }).catch(() => ({ data: null }));
    const auth = data?.refreshToken;
    if (auth) {
      store({ ...current, accessToken: auth.accessToken, refreshToken: auth.refreshToken, expiresAt: auth.accessTokenExpiresAt });
      return true;
    }
    return false;
  })();
  try {
    return await refreshing;
  } finally {
    refreshing = null;
  }
}

/** Ends the session on the server (the refresh token is revoked) and here. */
export async function logout() {
  const current = session();
  if (current?.kind === "user") {
    await request(LOGOUT, { token: current.refreshToken || null }, { retry: false }).catch(() => null);
  }
  store(null);
}

/**
 * Follows a subscription over `/graphql/ws` (graphql-transport-ws, with the vendored
 * graphql-ws client). Returns a function that stops it.
 */
export function subscribe(text, variables, onData, onError, onConnected) {
  const ws = globalThis.graphqlWs;
  if (!ws) return () => {};
  const client = ws.createClient({
    url: `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql/ws`,
    lazy: false,
    retryAttempts: 5,
    connectionParams: () => ({ Authorization: `Bearer ${session()?.accessToken || ""}` }),
    on: { connected: () => onConnected && onConnected() },
  });
  const stop = client.subscribe(
    { query: text, variables },
    {
      next: (message) => message.data && onData(message.data),
      error: (error) => onError && onError(error),
      complete: () => {},
    },
  );
  return () => {
    stop();
    client.dispose();
  };
}
