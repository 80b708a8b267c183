// The page's entry point: the login, the navigation by role, and the router.

import { login, logout, query, session, useToken } from "./api.js";
import { h, replace, notice } from "./ui.js";
import { ROLE, label } from "./labels.js";
import { agendaView } from "./agenda.js";
import { mapView } from "./map.js";
import { eventView } from "./event.js";
import { dpoView } from "./dpo.js";

const main = document.getElementById("main");
const nav = document.getElementById("nav");
const who = document.getElementById("who");
let viewer = null;
let stop = () => {};

const ME = `query Moi { me { actor role scopes } }`;

/** What a viewer may open: the agenda and the map, the DPO's view, or both. */
function views(v) {
  const agenda =
    ["supervisor", "analyst", "partner"].includes(v.role) ||
    (!v.role && v.scopes.some((s) => s === "read:agenda" || s === "read:events"));
  const dpo = ["dpo", "admin", "supervisor"].includes(v.role);
  return { agenda, dpo };
}

function loginView() {
  const status = h("div", { "aria-live": "polite" });
  const email = h("input", { id: "email", type: "email", autocomplete: "username", required: true, maxlength: 254 });
  const password = h("input", { id: "password", type: "password", autocomplete: "current-password", required: true, maxlength: 256 });
  const token = h("input", { id: "token", type: "password", autocomplete: "off", required: true, maxlength: 4096 });
  const attempt = (work) => async (e) => {
    e.preventDefault();
    replace(status, notice("Connexion…"));
    try {
      await work();
      viewer = null;
      if (location.hash === "#/") await route();
      else location.hash = "#/";
    } catch (error) {
      replace(status, notice(`${error.message} (${error.code})`, "error"));
    }
  };
  replace(
    main,
    h("h1", {}, "Connexion"),
    h(
      "div",
      { class: "login" },
      h(
        "form",
        { class: "card", "aria-labelledby": "login-person", onsubmit: attempt(() => login(email.value, password.value)) },
        h("h2", { id: "login-person" }, "Agents de la ville"),
        h("label", { for: "email" }, "Adresse e-mail professionnelle"),
        email,
        h("label", { for: "password" }, "Mot de passe"),
        password,
        h("button", { type: "submit" }, "Se connecter"),
      ),
      h(
        "form",
        { class: "card", "aria-labelledby": "login-partner", onsubmit: attempt(() => useToken(token.value)) },
        h("h2", { id: "login-partner" }, "Partenaires"),
        h("label", { for: "token" }, "Jeton d’accès délivré par la ville"),
        token,
        h("button", { type: "submit" }, "Utiliser le jeton"),
      ),
    ),
    status,
    h("p", { class: "muted" }, "Chaque consultation est inscrite au journal des accès, consultable par le délégué à la protection des données."),
  );
  email.focus();
}

function renderNav() {
  replace(nav);
  replace(who);
  if (!viewer) return;
  const can = views(viewer);
  const link = (href, text) => h("a", { href, "aria-current": location.hash.startsWith(href) ? "page" : null }, text);
  replace(
    nav,
    can.agenda ? link("#/agenda", "Agenda") : null,
    can.agenda ? link("#/carte", "Carte") : null,
    can.dpo ? link("#/dpo", viewer.role === "dpo" ? "Journal et registre" : "Registre") : null,
    h("a", { href: "/graphql" }, "API (GraphiQL)"),
  );
  replace(
    who,
    h("span", {}, `${viewer.actor} · ${viewer.role ? label(ROLE, viewer.role) : `jeton (${viewer.scopes.join(", ")})`}`),
    h(
      "button",
      {
        type: "button",
        onclick: async () => {
          stop();
          await logout();
          viewer = null;
          location.hash = "#/connexion";
        },
      },
      "Se déconnecter",
    ),
  );
}

let routes = 0;
async function route() {
  const generation = ++routes;
  stop();
  stop = () => {};
  if (!session()) {
    viewer = null;
    renderNav();
    return loginView();
  }
  if (!viewer) {
    const { data, errors } = await query(ME).catch((e) => ({ data: null, errors: [e] }));
    if (!data?.me) {
      viewer = null;
      renderNav();
      loginView();
      if (errors[0]) main.appendChild(notice(errors[0].message, "error"));
      return;
    }
    viewer = data.me;
  }
  // A later route started while this one waited: it renders, this one does not.
  if (generation !== routes) return;
  const [path, search] = location.hash.replace(/^#/, "").split("?");
  const params = new URLSearchParams(search || "");
  const can = views(viewer);
  const parts = path.split("/").filter(Boolean);
  const home = can.agenda ? "#/agenda" : can.dpo ? "#/dpo" : null;
  renderNav();
  // Each route renders into its own container: a view still loading when the user
  // moves on writes into a container no longer on the page.
  const root = h("div", { class: "view" });
  replace(main, root);
  let view;
  try {
    if (parts[0] === "agenda" && can.agenda) view = agendaView(root, params);
    else if (parts[0] === "carte" && can.agenda) view = mapView(root, params);
    else if (parts[0] === "evenement" && parts[1] && can.agenda) view = eventView(root, decodeURIComponent(parts[1]), viewer);
    else if (parts[0] === "dpo" && can.dpo) view = dpoView(root, viewer);
    else if (home) {
      location.replace(home);
      return;
    } else {
      replace(root, h("h1", {}, "Aucune vue"), notice("Votre rôle n’ouvre aucune vue de cette page ; l’API reste accessible selon vos droits.", "warn"));
      return;
    }
    const stopper = (await view) || (() => {});
    // A view that finished loading after the user moved on stops its live feed at once.
    if (generation === routes) stop = stopper;
    else stopper();
  } catch (error) {
    replace(root, h("h1", {}, "Erreur"), notice(`${error.message} (${error.code || "ERROR"})`, "error"));
  }
  main.focus();
}

// In-page anchors (the skip link) are not routes.
window.addEventListener("hashchange", () => {
  if (location.hash === "" || location.hash.startsWith("#/")) route();
});
window.addEventListener("platform:signed-out", () => {
  viewer = null;
  location.hash = "#/connexion";
});
route();
