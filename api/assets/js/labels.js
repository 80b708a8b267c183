// French labels of the schema's values, and the formats the pages share.

export const CATEGORY = {
  FOOTBALL_MATCH: "Match de football",
  CONCERT: "Concert",
  FESTIVAL: "Festival",
  MARKET: "Marché",
  DEMONSTRATION: "Manifestation",
  OFFICIAL_VISIT: "Visite officielle",
  CULTURAL: "Culture",
  SPORTS: "Sport",
  NAUTICAL: "Nautisme",
  RELIGIOUS: "Culte",
  OTHER: "Autre",
};

export const FIELD = {
  TRANQUILLITY: "Tranquillité",
  SECURITY: "Sécurité",
  MOBILITY: "Mobilité",
};

export const KIND = {
  MUNICIPAL_POLICE: "Police municipale",
  NATIONAL_POLICE: "Police nationale",
  FIRE_RESCUE: "Marins-pompiers",
  FIRST_AID: "Secouristes (DPS)",
  STEWARDS: "Stadiers",
  VIDEO_OPERATORS: "Opérateurs vidéo",
  TRANSIT_REINFORCEMENT: "Renfort transports",
};

export const ACTION = {
  MAINTAIN: "Maintenir le dispositif",
  REINFORCE: "Renforcer",
  REDUCE: "Alléger",
  POSTPONE: "Reporter",
  MOVE: "Déplacer",
  CANCEL: "Annuler",
};

export const CONFLICT = {
  SAME_VENUE_OVERLAP: "Même lieu, mêmes heures",
  ZONE_OVER_CAPACITY: "Zone saturée",
  NO_DEPLOYMENT: "Aucun dispositif",
};

export const STATUS = {
  PLANNED: "Prévu",
  CONFIRMED: "Confirmé",
  CANCELLED: "Annulé",
  POSTPONED: "Reporté",
  MOVED: "Déplacé",
};

export const DPIA_STATUS = {
  DRAFT: "Brouillon",
  SUBMITTED: "Soumise",
  DPO_REVIEWED: "Avis du DPO rendu",
  VALIDATED: "Validée",
  REJECTED: "Refusée",
  SUBMITTED_TO_CNIL: "Transmise à la CNIL",
  CNIL_ANSWERED: "Réponse de la CNIL",
  SUPERSEDED: "Remplacée",
};

export const ROLE = {
  admin: "Administration",
  supervisor: "Supervision",
  analyst: "Analyse",
  partner: "Partenaire",
  dpo: "Délégué à la protection des données",
};

export const OUTCOME = { allowed: "autorisé", denied: "refusé", error: "erreur" };

/** The label of `value` in `table`, or the value itself. */
export function label(table, value) {
  return (value && table[value]) || value || "";
}

const TZ = "Europe/Paris";
const dayFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: TZ, weekday: "long", day: "numeric", month: "long" });
const shortDay = new Intl.DateTimeFormat("fr-FR", { timeZone: "UTC", weekday: "short", day: "numeric", month: "short" });
const timeFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: TZ, hour: "2-digit", minute: "2-digit" });
const dateTimeFormat = new Intl.DateTimeFormat("fr-FR", { timeZone: TZ, dateStyle: "short", timeStyle: "medium" });
const number = new Intl.NumberFormat("fr-FR");
const decimal = new Intl.NumberFormat("fr-FR", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

/** "samedi 5 décembre" for a `Date` scalar (YYYY-MM-DD). */
export function formatDay(date) {
  return dayFormat.format(new Date(`${date}T12:00:00Z`));
}
/** "sam. 5 déc." for a `Date` scalar. */
export function formatShortDay(date) {
  return shortDay.format(new Date(`${date}T00:00:00Z`));
}
export const formatTime = (iso) => timeFormat.format(new Date(iso));
export const formatDateTime = (iso) => dateTimeFormat.format(new Date(iso));
export const formatNumber = (n) => number.format(n);
/** A number with at most `digits` decimals, French style (comma). */
export const formatDecimal = (n, digits) => new Intl.NumberFormat("fr-FR", { maximumFractionDigits: digits }).format(n);
/** A risk on the 0-10 scale with one decimal, or a dash. */
export const formatRisk = (r) => (r === null || r === undefined ? "–" : decimal.format(r));
/** A percentage without decimals, or a dash. */
export const formatPercent = (p) => (p === null || p === undefined ? "–" : `${number.format(Math.round(p))} %`);

/**
 * The band of a 0-10 risk on a five-step scale (ColorBrewer YlOrRd, safe for the
 * common colour-vision deficiencies); the number is always shown beside the colour.
 */
export function riskBand(risk) {
  if (risk === null || risk === undefined) return "none";
  if (risk < 2) return "1";
  if (risk < 4) return "2";
  if (risk < 6) return "3";
  if (risk < 8) return "4";
  return "5";
}

export const RISK_BANDS = [
  ["1", "0 à 2 : faible"],
  ["2", "2 à 4 : modéré"],
  ["3", "4 à 6 : marqué"],
  ["4", "6 à 8 : élevé"],
  ["5", "8 à 10 : très élevé"],
];
