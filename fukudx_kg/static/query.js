// Progressive enhancement of the /query form with the YASQE editor (from YASGUI, served from
// node_modules). Without it the plain textarea and the submit button work as they are.
(function () {
  "use strict";
  function enhance() {
    var textarea = document.getElementById("query");
    var form = document.getElementById("query-form");
    if (!textarea || !form || typeof window.Yasqe !== "function") return;
    var holder = document.createElement("div");
    holder.className = "yasqe-holder";
    textarea.parentNode.insertBefore(holder, textarea);
    var yasqe;
    try {
      yasqe = new window.Yasqe(holder, {
        value: textarea.value,
        persistenceId: null,
        showQueryButton: false,
        resizeable: true,
        editorHeight: "320px",
        autocompleters: ["prefixes", "variables"],
        createShareableLink: null,
        consumeShareLink: null
      });
    } catch (err) {
      holder.parentNode.removeChild(holder);
      return;
    }
    textarea.hidden = true;
    document.body.classList.add("has-yasqe");
    yasqe.on("change", function () { textarea.value = yasqe.getValue(); });
    var submit = function () { textarea.value = yasqe.getValue(); form.submit(); };
    yasqe.addKeyMap({ "Ctrl-Enter": submit, "Cmd-Enter": submit });
    form.addEventListener("submit", function () { textarea.value = yasqe.getValue(); });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhance);
  else enhance();
})();
