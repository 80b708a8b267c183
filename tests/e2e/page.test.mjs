// The agenda page and GraphiQL in headless Chromium, against a running server with its
// demo data (`tests/e2e/run` starts one). Every page runs with the network closed to
// anything but the server, and a console error (a CSP violation included) fails it.

import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { BASE, gql, tokenOf, launch, openPage, logIn, unnamedControls } from "./lib.mjs";

let browser;
const rationale = `Renfort validé en réunion de sécurité, essai ${Date.now()}`;

before(async () => {
  browser = await launch();
});
after(async () => {
  await browser?.close();
});

/** Opens a page, runs `body`, then checks nothing left the server and nothing failed. */
async function withPage(body, viewport) {
  const session = await openPage(browser, viewport);
  try {
    await body(session).catch(async (error) => {
      // What the page showed when it failed, for the CI log's reader.
      const dir = process.env.E2E_ARTIFACTS;
      if (dir) await session.page.screenshot({ path: `${dir}/failure-${Date.now()}.png`, fullPage: true }).catch(() => {});
      error.message += `\npage text: ${(await session.page.locator("main").innerText().catch(() => "")).slice(0, 600)}`;
      throw error;
    });
    assert.deepEqual(session.blocked, [], "requests to other hosts");
    assert.deepEqual(session.problems, [], "console errors");
  } finally {
    await session.context.close();
  }
}

/** The first day of the calendar holding events, and its cell. */
async function busyDay(page) {
  await page.locator(".calendar .day").first().waitFor();
  const cell = page.locator(".calendar .day").filter({ hasNotText: /^\D*0 év\./ }).first();
  return cell;
}

test("a supervisor opens the calendar and an event, records a decision and sees it in the history", async () => {
  await withPage(async ({ page }) => {
    await logIn(page, "supervisor");
    await page.locator(".calendar .day").first().waitFor();
    assert.equal(await page.locator(".calendar .day").count(), 30, "thirty days");
    // Each day shows its highest risk as a number, with a name for screen readers.
    const label = await page.locator(".calendar .day").first().getAttribute("aria-label");
    assert.match(label, /risque maximal \d+,\d sur 10|aucun risque calculé/);
    assert.deepEqual(await unnamedControls(page), []);

    const day = await busyDay(page);
    await day.click();
    const card = page.locator(".event-card").first();
    await card.waitFor();
    assert.match(await card.locator(".fields").innerText(), /Tranquillité[\s\S]*Sécurité[\s\S]*Mobilité/);
    assert.ok(await card.locator("[role=meter], .adequacy-none").count(), "an adequacy bar");
    const title = await card.locator(".event-title a").innerText();
    await card.locator(".event-title a").click();

    await page.getByRole("heading", { name: "Risque et explication" }).waitFor();
    assert.match(await page.locator("h1").innerText(), new RegExp(title.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
    assert.ok(await page.locator(".explain table tbody tr").count() >= 3, "top factors listed");
    assert.match(await page.locator("text=Secours à personnes (grille DPS)").innerText(), /RIS \d/);
    assert.ok(await page.locator("table:has(caption:text('Évaluations')) tbody tr").count() >= 1, "assessment history");
    assert.deepEqual(await unnamedControls(page), []);

    await page.getByLabel("Décision", { exact: true }).selectOption("REINFORCE");
    await page.getByLabel("Motif", { exact: true }).fill(rationale);
    await page.getByRole("button", { name: "Enregistrer la décision" }).click();
    // The newest decision comes first in the history, read back from the API.
    const history = page.locator("ol.decisions li").first();
    await page.locator("ol.decisions li").first().filter({ hasText: rationale }).waitFor();
    assert.match(await history.innerText(), /Renforcer/);
    assert.match(await history.innerText(), new RegExp(rationale));
    assert.match(await history.innerText(), /supervisor@marseille\.example/);
  });
});

test("the DPO sees that decision's audit entry, exports the log and verifies the chain", async () => {
  await withPage(async ({ page }) => {
    await logIn(page, "dpo");
    await page.getByRole("heading", { name: "Journal des accès" }).waitFor();
    assert.equal(await page.getByRole("link", { name: "Agenda" }).count(), 0, "the DPO has no agenda");
    await page.getByLabel("Opération de l’API").fill("recordDecision");
    await page.getByRole("button", { name: "Filtrer" }).click();
    const row = page.locator("table.audit tbody tr").first();
    await row.filter({ hasText: "recordDecision" }).waitFor();
    const text = await row.innerText();
    assert.match(text, /supervisor@marseille\.example/);
    assert.match(text, /mutation recordDecision/);
    assert.match(text, /EnregistrerDecision/, "the page names its operations");
    assert.match(text, /autorisé/);

    const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Exporter en CSV" }).click()]);
    const csv = await (await download.createReadStream()).toArray();
    const content = Buffer.concat(csv).toString("utf8");
    assert.match(content.split("\n")[0], /^seq,at,actor/);
    assert.match(content, /recordDecision/);

    await page.getByRole("button", { name: "Vérifier la chaîne d’intégrité" }).click();
    await page.getByText(/Chaîne intègre : [\d  ]+ entrées vérifiées/).waitFor();
    assert.ok(await page.locator("text=Registre des traitements et analyses d’impact").count());
    // A validated DPIA exports as the CNIL PIA tool's JSON.
    const register = page.locator("tr", { hasText: "Planification des événements" });
    const [pia] = await Promise.all([page.waitForEvent("download"), register.getByRole("button", { name: /Exporter l’AIPD/ }).click()]);
    const file = Buffer.concat(await (await pia.createReadStream()).toArray()).toString("utf8");
    assert.match(pia.suggestedFilename(), /\.json$/);
    assert.ok(JSON.parse(file), "the export is JSON");
    assert.deepEqual(await unnamedControls(page), []);
  });
});

test("a partner token sees only what its scopes allow", async () => {
  const admin = await tokenOf("admin");
  const { organizations } = await gql(`{ organizations { id code } }`, {}, admin);
  const rtm = organizations.find((o) => o.code === "rtm");
  const issued = await gql(
    `mutation($i: IssuePartnerTokenInput!) { issuePartnerToken(input: $i) { secret } }`,
    { i: { organizationId: rtm.id, label: "Essai de la page", scopes: ["read:agenda"], purposes: ["event_planning"], days: 1 } },
    admin,
  );
  await withPage(async ({ page }) => {
    await page.goto(`${BASE}/`);
    await page.getByLabel("Jeton d’accès délivré par la ville").fill(issued.issuePartnerToken.secret);
    await page.getByRole("button", { name: "Utiliser le jeton" }).click();
    await page.getByRole("heading", { name: "Agenda des 30 prochains jours" }).waitFor();
    assert.match(await page.locator("#who").innerText(), /jeton \(read:agenda\)/);
    assert.equal(await page.getByRole("link", { name: /Registre|Journal/ }).count(), 0);
    // The DPO's view is not opened to a token: the page goes back to the agenda.
    await page.goto(`${BASE}/#/dpo`);
    await page.getByRole("heading", { name: "Agenda des 30 prochains jours" }).waitFor();

    const day = await busyDay(page);
    await day.click();
    await page.locator(".event-card .event-title a").first().click();
    await page.getByRole("heading", { name: "Risque et explication" }).waitFor();
    assert.match(await page.locator("section:has(h2:text('Décisions'))").innerText(), /réservées à l’équipe de supervision/);
    assert.equal(await page.getByRole("button", { name: "Enregistrer la décision" }).count(), 0);
  });
  // What the page did not ask for, the API refuses to the same token.
  await assert.rejects(gql(`{ events(first: 1) { edges { node { decisions { rationale } } } } }`, {}, issued.issuePartnerToken.secret), /FORBIDDEN/);
  await assert.rejects(gql(`{ auditEntries(first: 1) { totalCount } }`, {}, issued.issuePartnerToken.secret), /FORBIDDEN/);
});

test("the map draws the quartiers and moves through the 30 days", async () => {
  await withPage(async ({ page }) => {
    await logIn(page, "analyst");
    await page.getByRole("heading", { name: "Agenda des 30 prochains jours" }).waitFor();
    await page.getByRole("link", { name: "Carte" }).click();
    await page.locator("svg.map path.quartier").first().waitFor();
    assert.equal(await page.locator("svg.map path.quartier").count(), 111);
    assert.equal(await page.locator("svg.map path.arrondissement").count(), 16);
    const first = await page.locator("#map-title").innerText();
    await page.getByLabel("Jour affiché").focus();
    await page.keyboard.press("ArrowRight");
    const second = await page.locator("#map-title").innerText();
    assert.notEqual(first, second);
    assert.match(second, /risque maximal/);
    // The day's highest risk colours at least one quartier with its band.
    const band = await page.evaluate(() => {
      const text = document.getElementById("map-title").textContent.match(/risque maximal (\d+),(\d)/);
      if (!text) return null;
      const risk = Number(`${text[1]}.${text[2]}`);
      return risk < 2 ? 1 : risk < 4 ? 2 : risk < 6 ? 3 : risk < 8 ? 4 : 5;
    });
    if (band) assert.ok(await page.locator(`svg.map path.quartier.risk-${band}`).count() >= 1, `a quartier at band ${band}`);
    assert.deepEqual(await unnamedControls(page), []);
  });
});

test("the page shows a changed risk without a reload", async () => {
  const supervisor = await tokenOf("supervisor");
  await withPage(async ({ page }) => {
    await logIn(page, "supervisor");
    const day = await busyDay(page);
    await day.click();
    await page.getByText("Mises à jour en direct : actives.").waitFor();
    const card = page.locator(".event-card").first();
    const id = await card.getAttribute("data-event-id");
    const { event } = await gql(`query($id: ID!) { event(id: $id) { expectedAttendance } }`, { id }, supervisor);
    const tag = page.locator(`.event-card[data-event-id="${id}"] .tag-live`);
    // The socket is acknowledged before the server has started the subscription, so
    // an edit sent at once may come before it: edit again until one is delivered.
    for (let attempt = 1; ; attempt++) {
      await gql(
        `mutation($id: ID!, $n: Int!) { updateEvent(id: $id, input: { expectedAttendance: $n }) { event { id } } }`,
        { id, n: event.expectedAttendance * (attempt + 3) + 1000 },
        supervisor,
      );
      const shown = await tag.waitFor({ timeout: 3_000 }).then(() => true, () => false);
      if (shown) break;
      assert.ok(attempt < 5, "no update reached the page after five edits");
    }
    const { event: now } = await gql(`query($id: ID!) { event(id: $id) { assessment { risk } } }`, { id }, supervisor);
    const badge = page.locator(`.event-card[data-event-id="${id}"] .event-head .risk`);
    await page.waitForFunction(
      ([selector, want]) => document.querySelector(selector)?.textContent === want,
      [`.event-card[data-event-id="${id}"] .event-head .risk`, now.assessment.risk.toFixed(1).replace(".", ",")],
      { timeout: 5_000 },
    );
    assert.equal(await badge.innerText(), now.assessment.risk.toFixed(1).replace(".", ","));
    assert.match(await page.locator(".live").innerText(), /Mise à jour reçue/);
  });
});

test("keyboard and tablet: the calendar moves with the arrows and nothing overflows at 768 px", async () => {
  await withPage(
    async ({ page }) => {
      await logIn(page, "supervisor");
      await page.locator(".calendar .day-selected").waitFor();
      await page.locator(".calendar .day-selected").focus();
      const before = await page.locator(".calendar .day-selected").getAttribute("data-date");
      await page.keyboard.press("ArrowRight");
      const after = await page.evaluate(() => document.activeElement?.dataset.date);
      assert.notEqual(after, before);
      assert.equal(await page.locator(".calendar .day-selected").getAttribute("data-date"), after);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `the page is ${overflow} px wider than the screen`);
    },
    { width: 768, height: 1024 },
  );
});

test("GraphiQL loads from the server alone and shows the schema's documentation", async () => {
  await withPage(async ({ page }) => {
    const response = await page.goto(`${BASE}/graphql`);
    const policy = response.headers()["content-security-policy"];
    assert.match(policy, /script-src 'self';/);
    assert.doesNotMatch(policy, /https?:/, "no other origin is allowed");
    await page.locator(".graphiql-container").waitFor();
    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    await page.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).first().waitFor();
    await page.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).first().click();
    await page.locator(".graphiql-doc-explorer").getByText("agenda", { exact: true }).first().waitFor();
    assert.match(await page.locator(".graphiql-doc-explorer").innerText(), /30-day|days/i);
  });
});
