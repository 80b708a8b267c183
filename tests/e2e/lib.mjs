// What the end-to-end tests share: the server's address, GraphQL calls made from the
// test itself (to prepare data or to check what the page did), and a browser.

import { chromium } from "playwright-core";

/** The server under test, e.g. `http://127.0.0.1:18081`. */
export const BASE = process.env.E2E_BASE || "http://127.0.0.1:18081";

export const ACCOUNTS = {
  admin: ["admin@marseille.example", "demo-admin-2026"],
  supervisor: ["supervisor@marseille.example", "demo-supervisor-2026"],
  analyst: ["analyst@marseille.example", "demo-analyst-2026"],
  dpo: ["dpo@marseille.example", "demo-dpo-2026-rgpd"],
};

/** One GraphQL operation from the test; throws on any error. */
export async function gql(query, variables = {}, token = null) {
  const headers = { "content-type": "application/json", accept: "application/graphql-response+json" };
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(`${BASE}/graphql`, { method: "POST", headers, body: JSON.stringify({ query, variables }) });
  const body = await response.json();
  if (body.errors?.length) throw new Error(`${body.errors[0].extensions?.code}: ${body.errors[0].message}`);
  return body.data;
}

/** An access token of one of the demo accounts. */
export async function tokenOf(who) {
  const [email, password] = ACCOUNTS[who];
  const data = await gql(`mutation($e: String!, $p: String!) { login(email: $e, password: $p) { accessToken } }`, { e: email, p: password });
  return data.login.accessToken;
}

/** Headless Debian Chromium (`CHROMIUM` overrides its path). */
export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-dev-shm-usage"],
  });
}

/**
 * A page whose network is closed to anything but the server: every other request is
 * aborted and recorded in `blocked`; console errors (CSP violations included) and
 * uncaught exceptions are recorded in `problems`.
 */
export async function openPage(browser, viewport = { width: 1280, height: 800 }) {
  const context = await browser.newContext({ viewport, locale: "fr-FR", timezoneId: "Europe/Paris", acceptDownloads: true });
  const blocked = [];
  const problems = [];
  const origin = new URL(BASE).host;
  await context.route("**/*", (route) => {
    const url = new URL(route.request().url());
    if (url.host === origin) return route.continue();
    blocked.push(url.href);
    return route.abort("blockedbyclient");
  });
  const page = await context.newPage();
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(m.text());
  });
  page.on("pageerror", (e) => problems.push(`uncaught: ${e.message}`));
  return { context, page, blocked, problems };
}

/** Logs a demo account in through the page's form. */
export async function logIn(page, who) {
  const [email, password] = ACCOUNTS[who];
  await page.goto(`${BASE}/`);
  await page.getByLabel("Adresse e-mail professionnelle").fill(email);
  await page.getByLabel("Mot de passe").fill(password);
  await page.getByRole("button", { name: "Se connecter" }).click();
}

/** Controls without an accessible name (by label, aria-label, aria-labelledby, title or text). */
export async function unnamedControls(page) {
  return page.evaluate(() => {
    const controls = document.querySelectorAll("button, a[href], input, select, textarea, [role=gridcell][tabindex], [role=meter]");
    const missing = [];
    for (const el of controls) {
      if (el.type === "hidden" || el.closest("[hidden]")) continue;
      const byLabel = el.id && document.querySelector(`label[for="${CSS.escape(el.id)}"]`)?.textContent.trim();
      const byLabelledBy = el.getAttribute("aria-labelledby")?.split(" ").map((id) => document.getElementById(id)?.textContent.trim()).join(" ").trim();
      const name = el.getAttribute("aria-label") || byLabelledBy || byLabel || el.getAttribute("title") || el.textContent.trim();
      if (!name) missing.push(el.outerHTML.slice(0, 120));
    }
    return missing;
  });
}
