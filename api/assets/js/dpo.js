// The DPO's view: the access log with its filters and CSV export, the hash chain's
// verification, and the register of processing with each DPIA and its CNIL export.

import { query, session } from "./api.js";
import { h, replace, notice, download } from "./ui.js";
import { DPIA_STATUS, OUTCOME, ROLE, label, formatDateTime, formatNumber } from "./labels.js";

const ENTRIES = `query Journal($filter: AuditEntryFilter, $after: String) {
  auditEntries(filter: $filter, first: 50, after: $after) {
    totalCount
    pageInfo { hasNextPage endCursor }
    edges { node { seq at actor role operationType operationName resources fields recordCount purpose outcome reason } }
  }
}`;
const VERIFY = `query VerifierChaine { auditVerify { ok checked firstBrokenSeq problem } }`;
const REGISTER = `query Registre {
  processingActivities {
    id code name legalBasis retentionDays dpiaValidated
    dpias { id version status cnilStatus validatedAt cnilReference }
  }
}`;
const EXPORT = `query ExportAipd($id: ID!) { dpiaExport(id: $id, format: CNIL_PIA) { fileName mediaType content } }`;

function filterForm(onApply) {
  const field = (id, text, attrs = {}) => [h("label", { for: id }, text), h("input", { id, name: id, ...attrs })];
  const outcome = h(
    "select",
    { id: "f-outcome", name: "outcome" },
    h("option", { value: "" }, "Tous"),
    Object.entries(OUTCOME).map(([v, t]) => h("option", { value: v }, t)),
  );
  const form = h(
    "form",
    {
      class: "filters",
      "aria-label": "Filtres du journal",
      onsubmit: (e) => {
        e.preventDefault();
        const data = new FormData(form);
        const filter = {};
        for (const key of ["actor", "operation", "resource", "outcome"]) if (data.get(key)) filter[key] = data.get(key);
        for (const key of ["from", "to"]) if (data.get(key)) filter[key] = new Date(data.get(key)).toISOString();
        onApply(filter);
      },
    },
    field("actor", "Qui", { type: "text", maxlength: 200, placeholder: "e-mail ou jeton" }),
    field("resource", "Opération de l’API", { type: "text", maxlength: 200, placeholder: "ex. recordDecision" }),
    field("operation", "Nom donné par le client", { type: "text", maxlength: 128, placeholder: "ex. Agenda" }),
    h("label", { for: "f-outcome" }, "Résultat"),
    outcome,
    field("from", "Depuis", { type: "datetime-local" }),
    field("to", "Jusqu’à", { type: "datetime-local" }),
    h("button", { type: "submit" }, "Filtrer"),
  );
  outcome.name = "outcome";
  return form;
}

function entriesTable(edges) {
  return h(
    "table",
    { class: "audit" },
    h("caption", {}, "Accès et opérations, du plus récent au plus ancien"),
    h("thead", {}, h("tr", {}, ["N°", "Quand", "Qui", "Rôle", "Opération de l’API", "Nom donné par le client", "Champs lus", "Finalité", "Résultat"].map((x) => h("th", { scope: "col" }, x)))),
    h(
      "tbody",
      {},
      edges.map(({ node: e }) =>
        h(
          "tr",
          { class: `outcome-${e.outcome}` },
          h("td", {}, String(e.seq)),
          h("td", {}, formatDateTime(e.at)),
          h("td", {}, e.actor),
          h("td", {}, label(ROLE, e.role)),
          h("td", {}, `${e.operationType} ${e.resources.join(", ")}`),
          h("td", {}, e.operationName || "—"),
          h("td", { class: "fields-cell" }, e.fields.slice(0, 6).join(", ") + (e.fields.length > 6 ? ` (+${e.fields.length - 6})` : "")),
          h("td", {}, e.purpose || "—"),
          h("td", {}, label(OUTCOME, e.outcome), e.reason ? h("span", { class: "muted" }, ` (${e.reason})`) : null),
        ),
      ),
    ),
  );
}

async function exportCsv(filter, status) {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(filter)) params.set(k, v);
  const response = await fetch(`/audit/export.csv?${params}`, { headers: { Authorization: `Bearer ${session()?.accessToken || ""}` } });
  if (!response.ok) {
    replace(status, notice(`Export refusé (HTTP ${response.status}).`, "error"));
    return;
  }
  download("journal-acces.csv", "text/csv", await response.blob());
  replace(status, notice("Export CSV téléchargé ; l’export lui-même est inscrit au journal."));
}

export async function dpoView(root, viewer) {
  replace(root, h("h1", {}, "Protection des données"), notice("Chargement…"));
  const auditBox = h("div", { "aria-live": "polite" });
  const status = h("div", { "aria-live": "polite" });
  const chain = h("div", { "aria-live": "polite" });
  const registerBox = h("div");
  let filter = {};
  let cursors = [null];

  const loadEntries = async () => {
    const { data, errors } = await query(ENTRIES, { filter, after: cursors[cursors.length - 1] });
    const page = data?.auditEntries;
    if (!page) {
      replace(auditBox, notice(errors[0]?.message || "Journal indisponible.", "error"));
      return;
    }
    replace(
      auditBox,
      h("p", { class: "muted" }, `${formatNumber(page.totalCount)} entrée(s) correspondant aux filtres · page ${cursors.length}`),
      entriesTable(page.edges),
      h(
        "div",
        { class: "pager" },
        h("button", { type: "button", disabled: cursors.length === 1, onclick: () => { cursors.pop(); loadEntries(); } }, "← Plus récentes"),
        h("button", { type: "button", disabled: !page.pageInfo.hasNextPage, onclick: () => { cursors.push(page.pageInfo.endCursor); loadEntries(); } }, "Plus anciennes →"),
      ),
    );
  };

  const verify = async () => {
    replace(chain, notice("Vérification en cours…"));
    const { data, errors } = await query(VERIFY);
    const v = data?.auditVerify;
    if (!v) return replace(chain, notice(errors[0]?.message || "Vérification impossible.", "error"));
    replace(
      chain,
      v.ok
        ? notice(`Chaîne intègre : ${formatNumber(v.checked)} entrées vérifiées.`)
        : notice(`Chaîne rompue à l’entrée ${v.firstBrokenSeq} : ${v.problem}`, "error"),
    );
  };

  const loadRegister = async () => {
    const { data, errors } = await query(REGISTER);
    if (!data?.processingActivities) return replace(registerBox, notice(errors[0]?.message || "Registre indisponible.", "error"));
    replace(
      registerBox,
      h(
        "table",
        {},
        h("caption", {}, "Registre des traitements et analyses d’impact (AIPD)"),
        h("thead", {}, h("tr", {}, ["Traitement", "Base légale", "Conservation", "AIPD", "Export CNIL"].map((x) => h("th", { scope: "col" }, x)))),
        h(
          "tbody",
          {},
          data.processingActivities.map((p) => {
            const latest = [...p.dpias].sort((a, b) => b.version - a.version)[0];
            return h(
              "tr",
              {},
              h("td", {}, h("strong", {}, p.name), h("span", { class: "muted" }, ` (${p.code})`)),
              h("td", {}, p.legalBasis.toLowerCase().replaceAll("_", " ")),
              h("td", {}, `${formatNumber(p.retentionDays)} jours`),
              h("td", {}, latest ? `v${latest.version} : ${label(DPIA_STATUS, latest.status)}` : "aucune", p.dpiaValidated ? h("span", { class: "tag" }, "validée") : h("span", { class: "tag tag-warn" }, "non validée")),
              h(
                "td",
                {},
                latest
                  ? h(
                      "button",
                      {
                        type: "button",
                        "aria-label": `Exporter l’AIPD de ${p.name} au format de l’outil PIA de la CNIL`,
                        onclick: async () => {
                          const { data: file, errors: fileErrors } = await query(EXPORT, { id: latest.id });
                          if (file?.dpiaExport) download(file.dpiaExport.fileName, file.dpiaExport.mediaType, file.dpiaExport.content);
                          else replace(status, notice(fileErrors[0]?.message || "Export impossible.", "error"));
                        },
                      },
                      "Exporter (PIA CNIL)",
                    )
                  : "—",
              ),
            );
          }),
        ),
      ),
    );
  };

  const sections = [];
  if (viewer.role === "dpo") {
    sections.push(
      h(
        "section",
        { class: "card", "aria-labelledby": "audit-title" },
        h("h2", { id: "audit-title" }, "Journal des accès"),
        filterForm((f) => {
          filter = f;
          cursors = [null];
          loadEntries();
        }),
        h(
          "div",
          { class: "actions" },
          h("button", { type: "button", onclick: () => exportCsv(filter, status) }, "Exporter en CSV"),
          h("button", { type: "button", onclick: verify }, "Vérifier la chaîne d’intégrité"),
        ),
        status,
        chain,
        auditBox,
      ),
    );
  }
  sections.push(h("section", { class: "card", "aria-labelledby": "register-title" }, h("h2", { id: "register-title" }, "Registre des traitements"), registerBox));
  replace(root, h("h1", {}, "Protection des données"), sections);
  await Promise.all([viewer.role === "dpo" ? loadEntries() : null, loadRegister()]);
  return () => {};
}
