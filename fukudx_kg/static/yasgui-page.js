// The full YASGUI (editor + result views) against this server's /sparql endpoint.
(function () {
  "use strict";
  // YASGUI's table plugin (column resizer) adds <style> elements from script. The page's CSP
  // allows inline styles only with this response's nonce, which the server put on this script
  // tag: give it to every <style> element created through document.createElement.
  var nonce = document.currentScript && document.currentScript.nonce;
  if (nonce) {
    var create = document.createElement;
    document.createElement = function (tagName, options) {
      var element = create.call(document, tagName, options);
      if (String(tagName).toLowerCase() === "style") element.setAttribute("nonce", nonce);
      return element;
    };
  }
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
