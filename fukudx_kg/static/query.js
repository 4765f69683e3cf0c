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
    labelEditor(holder, yasqe);
    // Tab and Shift-Tab move focus on, as everywhere else on the page (the editor would indent and
    // keep the keyboard in); Ctrl-] and Ctrl-[ indent instead.
    yasqe.setOption("extraKeys", Object.assign({}, yasqe.getOption("extraKeys") || {},
                                               { Tab: false, "Shift-Tab": false }));
    yasqe.on("change", function () { textarea.value = yasqe.getValue(); });
    var submit = function () { textarea.value = yasqe.getValue(); form.submit(); };
    yasqe.addKeyMap({ "Ctrl-Enter": submit, "Cmd-Enter": submit });
    form.addEventListener("submit", function () { textarea.value = yasqe.getValue(); });
  }
  // The editor's own text field is named by the form's label, and its scrolling area (which
  // CodeMirror leaves out of the tab order) can be reached and scrolled by keyboard, named too.
  function labelEditor(holder, yasqe) {
    var input = typeof yasqe.getInputField === "function" ? yasqe.getInputField() : null;
    if (input) input.setAttribute("aria-labelledby", "query-label");
    var scroller = holder.querySelector(".CodeMirror-scroll");
    if (scroller) {
      scroller.setAttribute("tabindex", "0");
      scroller.setAttribute("role", "region");
      scroller.setAttribute("aria-label", holder.parentNode.getAttribute("data-scroll-label") || "SPARQL");
    }
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhance);
  else enhance();
})();
