// The full YASGUI (editor + result views) against this server's /sparql endpoint.
(function () {
  "use strict";
  function start() {
    var el = document.getElementById("yasgui");
    if (!el || typeof window.Yasgui !== "function") return;
    var endpoint = new URL(el.getAttribute("data-endpoint") || "/sparql", window.location.href).href;
    new window.Yasgui(el, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistenceId: null,
      yasqe: { autocompleters: ["prefixes", "variables"] }
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
