// One event: its risk and why, its deployment by kind against what the load requires,
// the assessments over time, the decisions, and the form supervisors record one with.

import { query, mutate, subscribe } from "./api.js";
import { h, replace, notice } from "./ui.js";
import { riskBadge, adequacyBar, applyWidths } from "./agenda.js";
import {
  CATEGORY, FIELD, KIND, ACTION, CONFLICT, STATUS, label,
  formatDateTime, formatRisk, formatPercent, formatNumber, formatDecimal,
} from "./labels.js";

/**
 * The event's query for this viewer: the API refuses a whole operation that selects a
 * field the caller may not read, so the page asks only for what the viewer's role or
 * token opens (decisions for the supervision team and its analysts, organizations for
 * people).
 */
function eventQuery(viewer) {
  const decisions = ["supervisor", "analyst"].includes(viewer.role);
  const organizations = Boolean(viewer.role);
  return EVENT.replace("organization { name }", organizations ? "organization { name }" : "").replace(
    "decisions(first: 20) { id action rationale override overrideReason decidedBy decidedAt }",
    decisions ? "decisions(first: 20) { id action rationale override overrideReason decidedBy decidedAt }" : "",
  );
}

const EVENT = `query Evenement($id: ID!) {
  event(id: $id) {
    id title category status statusReason startsAt endsAt expectedAttendance organizer
    zone { name } venue { name capacity }
    firstAid { ris workers dpsType }
    deployments { kind count shiftStart shiftEnd organization { name } }
    conflicts { kind message }
    assessment {
      id risk riskByField { field risk } adequacy stale computedAt modelVersion triggeredBy
      adequacyByKind { kind planned required percent }
      requirements { kind count basis }
      missingKinds
      explanation { fields { field expectedIncidents baselineRate contributions { feature value factor logContribution } } }
    }
    assessments(first: 20) { id computedAt risk adequacy triggeredBy modelVersion }
    decisions(first: 20) { id action rationale override overrideReason decidedBy decidedAt }
  }
}`;

const RECORD = `mutation EnregistrerDecision($input: RecordDecisionInput!) {
  recordDecision(input: $input) { id action rationale decidedBy decidedAt }
}`;

const LIVE = `subscription EvaluationEnDirect($eventId: ID!) {
  assessmentUpdated(eventId: $eventId) { id risk computedAt }
}`;

const FEATURE = {
  log_attendance: "Affluence attendue (log)",
  log_duration: "Durée (log)",
  alcohol: "Alcool servi",
  heat: "Chaleur",
  rain: "Pluie",
  wind: "Vent",
  indoor: "En intérieur",
  concurrent_events: "Événements simultanés à proximité",
  public_holiday: "Jour férié",
  school_holiday: "Vacances scolaires",
  hour_afternoon: "Après-midi",
  hour_evening: "Soirée",
  hour_night: "Nuit",
  presence_ratio: "Présence mesurée / habituelle",
  transit_disruption: "Perturbation des transports",
  past_incident_index: "Incidents des éditions précédentes",
  large_crowd: "Grande foule",
  small_crowd: "Petite foule",
};
const PREFIX = {
  category_: ["Catégorie", { football_match: "football", concert: "concert", cultural: "culture", demonstration: "manifestation", festival: "festival", nautical: "nautisme", official_visit: "visite officielle", sports: "sport", other: "autre" }],
  weekday_: ["Jour", { monday: "lundi", tuesday: "mardi", wednesday: "mercredi", thursday: "jeudi", friday: "vendredi", saturday: "samedi", sunday: "dimanche" }],
  venue_: ["Lieu", { beach: "plage", hall: "salle", other: "autre", park: "parc", port: "port", square: "place", stadium: "stade", street: "rue" }],
};

/** The French name of a model feature; the technical name stays visible in its title. */
function featureLabel(name) {
  if (FEATURE[name]) return FEATURE[name];
  for (const [prefix, [what, values]] of Object.entries(PREFIX)) {
    if (name.startsWith(prefix)) return `${what} : ${values[name.slice(prefix.length)] || name.slice(prefix.length)}`;
  }
  return name;
}

function section(title, ...content) {
  const id = `s-${title.toLowerCase().normalize("NFD").replace(/[^a-z]+/g, "-")}`;
  return h("section", { class: "card", "aria-labelledby": id }, h("h2", { id }, title), ...content);
}

function table(caption, headers, rows) {
  return h(
    "table",
    {},
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, headers.map((x) => h("th", { scope: "col" }, x)))),
    h("tbody", {}, rows.map((r) => h("tr", {}, r.map((c) => h("td", {}, c))))),
  );
}

function explanation(a) {
  return a.explanation.fields.map((f) => {
    const top = [...f.contributions].sort((x, y) => Math.abs(y.logContribution) - Math.abs(x.logContribution)).slice(0, 5);
    const risk = a.riskByField.find((r) => r.field === f.field)?.risk;
    return h(
      "div",
      { class: "explain" },
      h("h3", {}, label(FIELD, f.field), " ", riskBadge(risk)),
      h("p", { class: "muted" }, `Incidents attendus : ${formatDecimal(f.expectedIncidents, 2)} (taux de base ${formatDecimal(f.baselineRate, 3)})`),
      table(
        `Principaux facteurs, ${label(FIELD, f.field).toLowerCase()}`,
        ["Facteur", "Valeur", "Effet"],
        top.map((c) => [h("span", { title: c.feature }, featureLabel(c.feature)), formatDecimal(c.value, 2), h("span", { class: c.factor >= 1 ? "up" : "down" }, `× ${formatDecimal(c.factor, 2)}`)]),
      ),
    );
  });
}

function deploymentTable(event) {
  const a = event.assessment;
  const rows = (a?.adequacyByKind || []).map((k) => [
    label(KIND, k.kind),
    formatNumber(k.planned),
    formatNumber(k.required),
    adequacyBar(k.percent, k.required === 0 ? "Non requis" : undefined),
  ]);
  for (const kind of a?.missingKinds || []) {
    if (!rows.some((r) => r[0] === label(KIND, kind))) rows.push([label(KIND, kind), "0", "requis", adequacyBar(0)]);
  }
  return h(
    "div",
    {},
    a ? h("p", {}, "Adéquation globale : ", adequacyBar(a.adequacy)) : null,
    table("Dispositif prévu et besoin calculé, par type de moyen", ["Moyen", "Prévu", "Requis", "Adéquation"], rows),
    h(
      "p",
      {},
      `Secours à personnes (grille DPS) : RIS ${formatDecimal(event.firstAid.ris, 2)}, ${formatNumber(event.firstAid.workers)} intervenants, `,
      h("strong", {}, event.firstAid.dpsType.replaceAll("_", " ")),
    ),
    a?.requirements?.length
      ? h("details", {}, h("summary", {}, "D’où viennent les besoins"), h("ul", {}, a.requirements.map((r) => h("li", {}, `${label(KIND, r.kind)} : ${r.count} — ${r.basis}`))))
      : null,
  );
}

function decisionForm(event, onRecorded) {
  const status = h("div", { "aria-live": "polite" });
  const action = h("select", { id: "decision-action", name: "action", required: true }, Object.entries(ACTION).map(([v, t]) => h("option", { value: v }, t)));
  const rationale = h("textarea", { id: "decision-rationale", name: "rationale", rows: 3, required: true, maxlength: 2000, placeholder: "Motif de la décision, lisible par l’équipe et le DPO" });
  const submit = h("button", { type: "submit" }, "Enregistrer la décision");
  const form = h(
    "form",
    {
      class: "decision-form",
      "aria-label": "Enregistrer une décision",
      onsubmit: async (e) => {
        e.preventDefault();
        submit.disabled = true;
        replace(status);
        try {
          await mutate(RECORD, { input: { eventId: event.id, action: action.value, rationale: rationale.value } });
          rationale.value = "";
          replace(status, notice("Décision enregistrée."));
          await onRecorded();
        } catch (error) {
          replace(status, notice(`${error.message} (${error.code})`, "error"));
        } finally {
          submit.disabled = false;
        }
      },
    },
    h("label", { for: "decision-action" }, "Décision"),
    action,
    h("label", { for: "decision-rationale" }, "Motif"),
    rationale,
    submit,
    status,
  );
  return form;
}

/** Renders the event view; returns a function that stops its live feed. */
export async function eventView(root, id, viewer) {
  replace(root, notice("Chargement…"));
  const load = async () => {
    const { data, errors } = await query(eventQuery(viewer), { id });
    const event = data?.event;
    if (!event) {
      replace(root, h("h1", {}, "Événement"), notice(errors[0]?.message || "Événement introuvable.", "error"));
      return;
    }
    const a = event.assessment;
    const hidden = errors.filter((e) => e.code === "FORBIDDEN").map((e) => (e.path || []).join("."));
    replace(
      root,
      h("p", {}, h("a", { href: "#/agenda" }, "← Retour à l’agenda")),
      h("h1", {}, event.title, " ", riskBadge(a?.risk, "risk-large")),
      h(
        "p",
        { class: "muted" },
        `${label(CATEGORY, event.category)} · ${label(STATUS, event.status)} · ${formatDateTime(event.startsAt)} → ${formatDateTime(event.endsAt)} · ${event.venue?.name || event.zone.name} · ${formatNumber(event.expectedAttendance)} personnes attendues`,
        event.organizer ? ` · organisé par ${event.organizer}` : "",
      ),
      hidden.length ? notice(`Non accessibles avec vos droits : ${hidden.join(", ")}`, "warn") : null,
      event.conflicts.length ? h("ul", { class: "conflicts" }, event.conflicts.map((c) => h("li", {}, `⚠ ${label(CONFLICT, c.kind)} : ${c.message}`))) : null,
      h(
        "div",
        { class: "event-grid" },
        section(
          "Risque et explication",
          a
            ? [
                h("p", { class: "muted" }, `Calculé le ${formatDateTime(a.computedAt)} par le modèle ${a.modelVersion}${a.triggeredBy ? `, à la suite de : ${a.triggeredBy}` : ""}.`, a.stale ? " Les chiffres du modèle sont à recalculer." : ""),
                h("div", { class: "explain-grid" }, explanation(a)),
              ]
            : notice("Pas encore évalué."),
        ),
        section("Dispositif", deploymentTable(event)),
        section(
          "Historique des évaluations",
          event.assessments
            ? table(
                "Évaluations, de la plus récente à la plus ancienne",
                ["Calculée le", "Risque", "Adéquation", "Déclencheur"],
                event.assessments.map((x) => [formatDateTime(x.computedAt), riskBadge(x.risk), formatPercent(x.adequacy), x.triggeredBy || "—"]),
              )
            : notice("Non accessible."),
        ),
        section(
          "Décisions",
          event.decisions
            ? event.decisions.length
              ? h(
                  "ol",
                  { class: "decisions" },
                  event.decisions.map((d) =>
                    h("li", {}, h("strong", {}, label(ACTION, d.action)), ` — ${d.rationale}`, h("span", { class: "muted" }, ` (${d.decidedBy}, ${formatDateTime(d.decidedAt)})`), d.override ? h("span", { class: "tag tag-warn" }, `dérogation : ${d.overrideReason || ""}`) : null),
                  ),
                )
              : notice("Aucune décision enregistrée.")
            : notice("Les décisions sont réservées à l’équipe de supervision et à ses analystes."),
          viewer.role === "supervisor" ? decisionForm(event, load) : null,
        ),
      ),
    );
    applyWidths(root);
  };
  await load();
  return subscribe(LIVE, { eventId: id }, () => load(), () => {});
}
