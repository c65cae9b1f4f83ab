// Typeset the math that pymdownx.arithmatex (generic mode) marked: every element of
// class "arithmatex" holds \( ... \) (inline) or \[ ... \] (display). KaTeX itself
// (js/katex/katex.min.js) is the pinned copy served from this site, so pages need no
// network. A formula KaTeX cannot read is shown as its source, marked in red.
(function () {
  "use strict";
  function render() {
    var nodes = document.querySelectorAll(".arithmatex");
    for (var i = 0; i < nodes.length; i++) {
      var node = nodes[i];
      var tex = node.textContent.trim();
      var display = node.tagName === "DIV";
      if (tex.slice(0, 2) === "\\(" || tex.slice(0, 2) === "\\[") {
        display = tex.charAt(1) === "[";
        tex = tex.slice(2, -2);
      }
      katex.render(tex, node, {displayMode: display, throwOnError: false});
    }
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", render);
  } else {
    render();
  }
})();
