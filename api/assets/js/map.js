// The map: Marseille's quartiers and arrondissements (the imported outlines) coloured
// by the chosen day's highest risk, venues and events as points, a slider over the 30 days.

import { query } from "./api.js";
import { h, replace, notice } from "./ui.js";
import { AGENDA, riskBadge, legend } from "./agenda.js";
import { riskBand, formatDay, formatRisk, formatTime, label, CATEGORY } from "./labels.js";

const ZONES = `query Carte {
  quartiers: zones(level: QUARTIER) { id name parent { id } outline(tolerance: 0.0002) }
  arrondissements: zones(level: ARRONDISSEMENT) { id name outline(tolerance: 0.0004) }
}`;

const WIDTH = 900;
const HEIGHT = 760;

function projector(zones) {
  let minX = Infinity, minY = Infinity, maxX = -Infinity, maxY = -Infinity;
  for (const z of zones) for (const ring of rings(z.geometry)) for (const [x, y] of ring) {
    minX = Math.min(minX, x); maxX = Math.max(maxX, x); minY = Math.min(minY, y); maxY = Math.max(maxY, y);
  }
  const k = Math.cos(((minY + maxY) / 2) * Math.PI / 180);
  const scale = Math.min(WIDTH / ((maxX - minX) * k), HEIGHT / (maxY - minY));
  return ([x, y]) => [((x - minX) * k * scale).toFixed(1), ((maxY - y) * scale).toFixed(1)];
}

function rings(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Polygon") return geometry.coordinates;
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat();
  return [];
}

function pathOf(geometry, project) {
  return rings(geometry).map((ring) => `M${ring.map((p) => project(p).join(",")).join("L")}Z`).join("");
}

/** Whether [x, y] lies inside `geometry` (even-odd rule over every ring). */
function contains(geometry, [x, y]) {
  let inside = false;
  for (const ring of rings(geometry)) {
    for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
      const [xi, yi] = ring[i];
      const [xj, yj] = ring[j];
      if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    }
  }
  return inside;
}

/**
 * The quartiers an event colours: the one holding its venue, else its zone's quartier,
 * else every quartier of its arrondissement.
 */
function quartiersOf(event, quartiers, byArrondissement) {
  if (event.venue) {
    const point = [event.venue.longitude, event.venue.latitude];
    const hit = quartiers.find((q) => q.geometry && contains(q.geometry, point));
    if (hit) return [hit.id];
  }
  const z = event.zone;
  if (!z) return [];
  if (z.level === "QUARTIER") return [z.id];
  if (z.level === "SITE" && z.parent?.level === "QUARTIER") return [z.parent.id];
  if (z.level === "ARRONDISSEMENT") return byArrondissement.get(z.id) || [];
  if (z.level === "SITE" && z.parent?.level === "ARRONDISSEMENT") return byArrondissement.get(z.parent.id) || [];
  return [];
}

export async function mapView(root, params) {
  replace(root, h("h1", {}, "Carte des risques"), notice("Chargement…"));
  const [{ data: zones, errors: zoneErrors }, { data: agenda, errors }] = await Promise.all([query(ZONES), query(AGENDA, { days: 30 })]);
  if (!zones?.quartiers || !agenda?.agenda) {
    replace(root, h("h1", {}, "Carte des risques"), notice((zoneErrors[0] || errors[0])?.message || "Carte indisponible.", "error"));
    return () => {};
  }
  const quartiers = zones.quartiers.map((z) => ({ ...z, geometry: z.outline ? JSON.parse(z.outline) : null }));
  const arrondissements = zones.arrondissements.map((z) => ({ ...z, geometry: z.outline ? JSON.parse(z.outline) : null }));
  const project = projector(quartiers.filter((z) => z.geometry));
  const byArrondissement = new Map();
  for (const q of quartiers) if (q.parent) byArrondissement.set(q.parent.id, [...(byArrondissement.get(q.parent.id) || []), q.id]);
  const days = agenda.agenda;
  let index = Math.max(0, Math.min(days.length - 1, Number(params.get("jour")) || 0));

  const svg = h("svg:svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "map", role: "img", "aria-labelledby": "map-title" });
  const title = h("h2", { id: "map-title" });
  const list = h("ul", { class: "map-events" });
  const slider = h("input", { type: "range", id: "map-day", min: 0, max: days.length - 1, value: index, step: 1 });
  slider.addEventListener("input", () => {
    index = Number(slider.value);
    history.replaceState(null, "", `#/carte?jour=${index}`);
    draw();
  });

  function draw() {
    const day = days[index];
    const risk = new Map();
    for (const event of day.events) {
      const r = event.assessment?.risk;
      if (r === undefined || r === null) continue;
      for (const q of quartiersOf(event, quartiers, byArrondissement)) risk.set(q, Math.max(risk.get(q) ?? 0, r));
    }
    title.textContent = `${formatDay(day.date)} : risque maximal ${formatRisk(day.maxRisk)}`;
    slider.setAttribute("aria-valuetext", formatDay(day.date));
    replace(
      svg,
      h("svg:title", {}, `Carte de Marseille, ${formatDay(day.date)}`),
      quartiers.filter((q) => q.geometry).map((q) =>
        h("svg:path", { d: pathOf(q.geometry, project), class: `quartier risk-${riskBand(risk.get(q.id))}` }, h("svg:title", {}, `${q.name} : ${risk.has(q.id) ? `risque ${formatRisk(risk.get(q.id))}` : "aucun événement évalué"}`)),
      ),
      arrondissements.filter((a) => a.geometry).map((a) => h("svg:path", { d: pathOf(a.geometry, project), class: "arrondissement" }, h("svg:title", {}, a.name))),
      day.events.filter((e) => e.venue).map((e) => {
        const [x, y] = project([e.venue.longitude, e.venue.latitude]);
        return h(
          "svg:a",
          { href: `#/evenement/${encodeURIComponent(e.id)}`, "aria-label": `${e.title}, risque ${formatRisk(e.assessment?.risk)}` },
          h("svg:circle", { cx: x, cy: y, r: 7, class: `point risk-${riskBand(e.assessment?.risk)}` }),
          h("svg:title", {}, `${e.title} (${e.venue.name}) : risque ${formatRisk(e.assessment?.risk)}`),
        );
      }),
    );
    replace(
      list,
      [...day.events]
        .sort((a, b) => (b.assessment?.risk ?? -1) - (a.assessment?.risk ?? -1))
        .map((e) => h("li", {}, riskBadge(e.assessment?.risk), " ", h("a", { href: `#/evenement/${encodeURIComponent(e.id)}` }, e.title), h("span", { class: "muted" }, ` · ${formatTime(e.startsAt)} · ${label(CATEGORY, e.category)} · ${e.venue?.name || e.zone?.name || ""}`))),
    );
    if (!day.events.length) list.appendChild(h("li", { class: "muted" }, "Aucun événement ce jour-là."));
  }

  replace(
    root,
    h("h1", {}, "Carte des risques"),
    h("div", { class: "slider" }, h("label", { for: "map-day" }, "Jour affiché"), slider),
    legend(),
    h("p", { class: "muted" }, "Un quartier prend le risque le plus élevé des événements évalués qui s’y tiennent (d’après le lieu de l’événement) ; un événement sans lieu, rattaché à tout un arrondissement, colore chacun de ses quartiers."),
    h("div", { class: "map-layout" }, h("figure", { class: "map-box" }, svg), h("section", { "aria-labelledby": "map-title" }, title, list)),
  );
  draw();
  return () => {};
}
