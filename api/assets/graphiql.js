// GraphiQL against this server's /graphql. The token the agenda page holds (same
// origin, session storage) is offered as the Authorization header; anyone may edit it
// in the headers tab.
(function () {
  "use strict";
  var token = null;
  try {
    var stored = JSON.parse(sessionStorage.getItem("platform.session") || "null");
    token = stored && stored.accessToken;
  } catch (e) {
    token = null;
  }
  // Queries and mutations over HTTP; subscriptions belong to /graphql/ws, which the
  // agenda page uses.
  var fetcher = GraphiQL.createFetcher({ url: "/graphql" });
  var root = ReactDOM.createRoot(document.getElementById("graphiql"));
  root.render(
    React.createElement(GraphiQL, {
      fetcher: fetcher,
      defaultEditorToolsVisibility: true,
      headers: token ? JSON.stringify({ Authorization: "Bearer " + token }, null, 2) : undefined,
      shouldPersistHeaders: false,
    })
  );
})();
