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
    labelFields(el);
    new window.Yasgui(el, {
      requestConfig: { endpoint: endpoint, method: "POST" },
      copyEndpointOnNewTab: false,
      endpointCatalogueOptions: { getData: function () { return [{ endpoint: endpoint }]; } },
      persistenceId: null,
      // Tab and Shift-Tab move focus on instead of indenting (Ctrl-] and Ctrl-[ indent).
      yasqe: { autocompleters: ["prefixes", "variables"], extraKeys: { Tab: false, "Shift-Tab": false } }
    });
  }
  // YASGUI draws its query field, its endpoint field and its rows-per-page menu without labels, and redraws them when a tab
  // opens: name each one (in the page's language, from data- attributes) as it appears.
  function labelFields(el) {
    var names = { query: el.getAttribute("data-label-query"), endpoint: el.getAttribute("data-label-endpoint"),
                  scroll: el.getAttribute("data-label-scroll"), rows: el.getAttribute("data-label-rows") };
    var label = function () {
      el.querySelectorAll(".CodeMirror textarea:not([aria-label])").forEach(function (t) {
        t.setAttribute("aria-label", names.query);
      });
      el.querySelectorAll("input.autocomplete:not([aria-label])").forEach(function (i) {
        i.setAttribute("aria-label", names.endpoint);
      });
      el.querySelectorAll("select.tableSizer:not([aria-label])").forEach(function (s) {
        s.setAttribute("aria-label", names.rows);
      });
      el.querySelectorAll(".CodeMirror-scroll:not([role])").forEach(function (s) {
        s.setAttribute("tabindex", "0");
        s.setAttribute("role", "region");
        s.setAttribute("aria-label", names.scroll);
      });
    };
    new MutationObserver(label).observe(el, { childList: true, subtree: true });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
