// The README's screenshots: the calendar, the map and an event, as a supervisor sees
// them at 1280x800, from a server with its demo data. Usage: node screenshots.mjs DIR
import { mkdir } from "node:fs/promises";
import { launch, openPage, logIn } from "./lib.mjs";

const dir = process.argv[2];
await mkdir(dir, { recursive: true });
const browser = await launch();
const { page, blocked, problems } = await openPage(browser);
await logIn(page, "supervisor");
await page.locator(".calendar .day").first().waitFor();
// The busiest day of the window: the calendar and its list at their most telling.
const busiest = await page.evaluate(() =>
  [...document.querySelectorAll(".calendar .day")].sort((a, b) => parseFloat(b.querySelector(".day-risk").textContent.replace(",", ".")) - parseFloat(a.querySelector(".day-risk").textContent.replace(",", ".")))[0].dataset.index,
);
await page.locator(`.calendar .day[data-index="${busiest}"]`).click();
await page.getByText("Mises à jour en direct : actives.").waitFor();
await page.screenshot({ path: `${dir}/agenda.png`, fullPage: true });

await page.getByRole("link", { name: "Carte" }).click();
await page.locator("svg.map path.quartier").first().waitFor();
await page.getByLabel("Jour affiché").fill(String(busiest));
await page.getByLabel("Jour affiché").dispatchEvent("input");
await page.screenshot({ path: `${dir}/carte.png`, fullPage: true });

await page.locator(".map-events a").first().click();
await page.getByRole("heading", { name: "Risque et explication" }).waitFor();
await page.screenshot({ path: `${dir}/evenement.png`, fullPage: true });
await browser.close();
if (blocked.length || problems.length) {
  console.error("the page reached other hosts or failed:", blocked, problems);
  process.exit(1);
}
console.log(`screenshots written to ${dir}: agenda.png, carte.png, evenement.png`);
