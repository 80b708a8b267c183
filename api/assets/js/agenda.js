// The 30-day agenda: a calendar coloured by each day's highest risk, the chosen day's
// events with their risk by field and the adequacy of their deployment.

import { query, subscribe } from "./api.js";
import { h, replace, notice } from "./ui.js";
import {
  CATEGORY, FIELD, CONFLICT, STATUS, RISK_BANDS, label, riskBand,
  formatDay, formatShortDay, formatTime, formatRisk, formatPercent, formatNumber,
} from "./labels.js";

const DAY_FIELDS = `
  date eventCount maxRisk scoringPaused totalAttendance
  conflicts { kind message eventIds }
  events {
    id title category status startsAt endsAt expectedAttendance
    zone { id name level parent { id level } }
    venue { id name latitude longitude }
    assessment { risk riskByField { field risk } adequacy shortKinds missingKinds stale }
  }`;

export const AGENDA = `query Agenda($days: Int!, $zoneId: ID, $category: EventCategory) {
  agenda(days: $days, zoneId: $zoneId, category: $category) { ${DAY_FIELDS} }
}`;

const FILTERS = `query Filtres { zones(level: ARRONDISSEMENT) { id name code } }`;

const LIVE = `subscription AgendaEnDirect($days: Int!, $zoneId: ID, $category: EventCategory) {
  agendaUpdated(days: $days, zoneId: $zoneId, category: $category) { eventIds days { ${DAY_FIELDS} } }
}`;

/** The risk badge: the number on its colour band, and its meaning for screen readers. */
export function riskBadge(risk, extra = "") {
  return h("span", { class: `risk risk-${riskBand(risk)} ${extra}`, title: `Risque ${formatRisk(risk)} sur 10` }, formatRisk(risk));
}

/** The adequacy bar: 0 to 200 %, a mark at 100 %, shortfall and oversizing in two hues. */
export function adequacyBar(percent, caption) {
  if (percent === null || percent === undefined) {
    return h("div", { class: "adequacy adequacy-none" }, h("span", { class: "adequacy-text" }, caption || "Adéquation non calculée"));
  }
  const kind = percent < 95 ? "short" : percent > 110 ? "over" : "fit";
  const text = kind === "short" ? "insuffisant" : kind === "over" ? "surdimensionné" : "adapté";
  const width = Math.max(2, Math.min(100, percent / 2));
  return h(
    "div",
    {
      class: `adequacy adequacy-${kind}`,
      role: "meter",
      "aria-valuemin": 0,
      "aria-valuemax": 200,
      "aria-valuenow": Math.round(Math.min(percent, 200)),
      "aria-label": `Adéquation du dispositif : ${formatPercent(percent)}, ${text}`,
    },
    h("span", { class: "adequacy-track" }, h("span", { class: "adequacy-fill", dataset: { width: String(Math.round(width)) } }), h("span", { class: "adequacy-mark" })),
    h("span", { class: "adequacy-text" }, `${formatPercent(percent)} · ${text}`),
  );
}

/** Widths are set through the CSSOM (the page's policy forbids inline style attributes). */
export function applyWidths(root) {
  for (const el of root.querySelectorAll("[data-width]")) el.style.width = `${el.dataset.width}%`;
}

export function legend() {
  return h(
    "ul",
    { class: "legend", "aria-label": "Échelle de risque" },
    RISK_BANDS.map(([band, text]) => h("li", {}, h("span", { class: `risk risk-${band}`, "aria-hidden": "true" }, ""), text)),
  );
}

function dayLabel(day) {
  const parts = [formatDay(day.date)];
  parts.push(day.maxRisk === null ? "aucun risque calculé" : `risque maximal ${formatRisk(day.maxRisk)} sur 10`);
  parts.push(`${day.eventCount} événement${day.eventCount > 1 ? "s" : ""}`);
  if (day.conflicts.length) parts.push(`${day.conflicts.length} conflit${day.conflicts.length > 1 ? "s" : ""}`);
  return parts.join(", ");
}

function calendar(state, onPick) {
  // Buttons in a labelled group: each names its day, risk, events and conflicts; the
  // weekday heads are for the eye (each button already says its day).
  const grid = h("div", { class: "calendar", role: "group", "aria-label": "Calendrier des 30 prochains jours ; flèches pour changer de jour" });
  const names = ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."];
  grid.appendChild(h("div", { class: "calendar-row calendar-head", "aria-hidden": "true" }, names.map((n) => h("span", {}, n))));
  const first = new Date(`${state.days[0].date}T00:00:00Z`).getUTCDay();
  const offset = (first + 6) % 7;
  let row = h("div", { class: "calendar-row" });
  for (let i = 0; i < offset; i++) row.appendChild(h("span", { class: "calendar-blank", "aria-hidden": "true" }));
  state.days.forEach((day, index) => {
    const selected = day.date === state.selected;
    const cell = h(
      "button",
      {
        type: "button",
        class: `day risk-${riskBand(day.maxRisk)}${selected ? " day-selected" : ""}${state.changed.has(day.date) ? " day-changed" : ""}`,
        "aria-pressed": selected ? "true" : "false",
        "aria-label": dayLabel(day),
        dataset: { date: day.date, index: String(index) },
        tabindex: selected ? "0" : "-1",
        onclick: () => onPick(day.date),
        onkeydown: (e) => {
          const moves = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: 7, ArrowUp: -7 };
          if (!(e.key in moves)) return;
          e.preventDefault();
          const next = state.days[index + moves[e.key]];
          if (next) onPick(next.date, true);
        },
      },
      h("span", { class: "day-date" }, index === 0 || day.date.endsWith("-01") ? formatShortDay(day.date) : String(Number(day.date.slice(8)))),
      h("span", { class: "day-risk" }, formatRisk(day.maxRisk)),
      h("span", { class: "day-count" }, `${day.eventCount} év.`),
      day.conflicts.length ? h("span", { class: "day-conflict", title: "Conflits" }, `⚠ ${day.conflicts.length}`) : null,
    );
    row.appendChild(cell);
    if ((offset + index + 1) % 7 === 0) {
      grid.appendChild(row);
      row = h("div", { class: "calendar-row" });
    }
  });
  if (row.childElementCount) grid.appendChild(row);
  return grid;
}

function eventCard(event, conflicts, changed) {
  const a = event.assessment;
  const mine = conflicts.filter((c) => c.eventIds.includes(event.id));
  return h(
    "li",
    { class: `event-card${changed ? " event-changed" : ""}`, dataset: { eventId: event.id } },
    h(
      "div",
      { class: "event-head" },
      riskBadge(a?.risk, "risk-large"),
      h(
        "div",
        { class: "event-title" },
        h("a", { href: `#/evenement/${encodeURIComponent(event.id)}` }, event.title),
        h(
          "p",
          { class: "muted" },
          `${formatTime(event.startsAt)}–${formatTime(event.endsAt)} · ${label(CATEGORY, event.category)} · ${event.venue?.name || event.zone?.name || ""} · ${formatNumber(event.expectedAttendance)} pers. attendues`,
          event.status !== "PLANNED" && event.status !== "CONFIRMED" ? ` · ${label(STATUS, event.status)}` : "",
        ),
      ),
      changed ? h("span", { class: "tag tag-live" }, "mis à jour") : null,
    ),
    a
      ? h(
          "div",
          { class: "event-body" },
          h("dl", { class: "fields" }, a.riskByField.map((f) => [h("dt", {}, label(FIELD, f.field)), h("dd", {}, riskBadge(f.risk))])),
          adequacyBar(a.adequacy),
          a.stale ? h("p", { class: "tag tag-warn" }, "Évaluation à recalculer") : null,
          a.missingKinds.length || a.shortKinds.length
            ? h("p", { class: "muted" }, `À renforcer : ${[...new Set([...a.missingKinds, ...a.shortKinds])].map((k) => k.toLowerCase().replaceAll("_", " ")).join(", ")}`)
            : null,
        )
      : h("p", { class: "muted" }, "Pas encore évalué."),
    mine.length ? h("ul", { class: "conflicts" }, mine.map((c) => h("li", {}, `⚠ ${label(CONFLICT, c.kind)} : ${c.message}`))) : null,
  );
}

function dayPanel(state) {
  const day = state.days.find((d) => d.date === state.selected) || state.days[0];
  const panel = h("section", { class: "day-panel", "aria-labelledby": "day-title" });
  panel.appendChild(h("h2", { id: "day-title" }, formatDay(day.date)));
  panel.appendChild(
    h(
      "p",
      { class: "muted" },
      `${day.eventCount} événement${day.eventCount > 1 ? "s" : ""} · ${formatNumber(day.totalAttendance)} personnes attendues · risque maximal `,
      riskBadge(day.maxRisk),
      day.scoringPaused ? " · calcul du risque suspendu" : "",
    ),
  );
  if (!day.events.length) panel.appendChild(notice("Aucun événement ce jour-là avec ces filtres."));
  const events = [...day.events].sort((a, b) => (b.assessment?.risk ?? -1) - (a.assessment?.risk ?? -1));
  panel.appendChild(h("ul", { class: "events" }, events.map((e) => eventCard(e, day.conflicts, state.changedEvents.has(e.id)))));
  return panel;
}

/** Renders the agenda view into `root`; returns a function that stops its live feed. */
export async function agendaView(root, params) {
  const state = {
    days: [],
    selected: params.get("jour"),
    zoneId: params.get("zone") || null,
    category: params.get("categorie") || null,
    changed: new Set(),
    changedEvents: new Set(),
  };
  replace(root, h("h1", {}, "Agenda des 30 prochains jours"), notice("Chargement…"));
  const variables = { days: 30, zoneId: state.zoneId, category: state.category };
  const [{ data, errors }, filters] = await Promise.all([query(AGENDA, variables), query(FILTERS).catch(() => ({ data: null }))]);
  if (!data?.agenda) {
    replace(root, h("h1", {}, "Agenda"), notice(errors[0]?.message || "Agenda indisponible.", "error"));
    return () => {};
  }
  state.days = data.agenda;
  if (!state.days.some((d) => d.date === state.selected)) state.selected = state.days[0]?.date;

  const setParams = (changes) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(changes)) v ? next.set(k, v) : next.delete(k);
    location.hash = `#/agenda?${next}`;
  };
  const zoneSelect = h(
    "select",
    { id: "filter-zone", onchange: (e) => setParams({ zone: e.target.value }) },
    h("option", { value: "" }, "Toute la ville"),
    (filters.data?.zones || []).map((z) => h("option", { value: z.id, selected: z.id === state.zoneId }, z.name)),
  );
  const categorySelect = h(
    "select",
    { id: "filter-category", onchange: (e) => setParams({ categorie: e.target.value }) },
    h("option", { value: "" }, "Toutes les catégories"),
    Object.entries(CATEGORY).map(([v, text]) => h("option", { value: v, selected: v === state.category }, text)),
  );
  const calendarBox = h("div", { class: "calendar-box" });
  const panelBox = h("div", { class: "panel-box", "aria-live": "polite" });
  const live = h("p", { class: "live muted", role: "status" }, "Mises à jour en direct : connexion…");

  const render = (focus) => {
    replace(calendarBox, calendar(state, pick));
    replace(panelBox, dayPanel(state));
    applyWidths(panelBox);
    if (focus) calendarBox.querySelector(".day-selected")?.focus();
  };
  function pick(date, focus) {
    state.selected = date;
    history.replaceState(null, "", `#/agenda?${new URLSearchParams({ ...Object.fromEntries(params), jour: date })}`);
    render(focus);
  }

  replace(
    root,
    h("h1", {}, "Agenda des 30 prochains jours"),
    h(
      "form",
      { class: "filters", onsubmit: (e) => e.preventDefault(), "aria-label": "Filtres" },
      h("label", { for: "filter-zone" }, "Zone"),
      zoneSelect,
      h("label", { for: "filter-category" }, "Catégorie"),
      categorySelect,
    ),
    errors.length ? notice(`Certaines données ne sont pas accessibles avec vos droits : ${errors[0].message}`, "warn") : null,
    legend(),
    h("div", { class: "agenda-layout" }, calendarBox, panelBox),
    live,
  );
  render(false);

  let connections = 0;
  const refresh = async () => {
    const { data: fresh } = await query(AGENDA, variables).catch(() => ({ data: null }));
    if (fresh?.agenda) {
      state.days = fresh.agenda;
      render(false);
    }
  };
  return subscribe(
    LIVE,
    variables,
    (update) => {
      const u = update.agendaUpdated;
      for (const day of u.days) {
        const i = state.days.findIndex((d) => d.date === day.date);
        if (i >= 0) state.days[i] = day;
        state.changed.add(day.date);
      }
      u.eventIds.forEach((id) => state.changedEvents.add(id));
      live.textContent = `Mise à jour reçue à ${new Date().toLocaleTimeString("fr-FR")} : ${u.eventIds.length} événement(s) réévalué(s).`;
      render(false);
    },
    () => {
      live.textContent = "Mises à jour en direct indisponibles : rechargez la page pour voir les derniers calculs.";
    },
    () => {
      live.textContent = "Mises à jour en direct : actives.";
      // After a reconnection, what changed while the socket was down is read once.
      if (connections++ > 0) refresh();
    },
  );
}
