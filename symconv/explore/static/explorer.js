/* symconv explorer.
 *
 * This file only reads and draws: output sizes, error messages, 'same' paddings, the
 * size formulas and the kernels are tables in data.js that `symconv explore` computed
 * with symconv; the drawing geometry (where each window starts, where x[i] sits) is a set
 * of functions in data.js that the build checked against symconv's matrices. A 2-D
 * setting is two 1-D settings, one per axis.
 *
 * window.symconvExplorer exposes parse(), compute() and cellFormula() so that tests can
 * run the page's own logic over many settings.
 */
(function () {
  "use strict";

  var DATA = window.SYMCONV_EXPLORE;
  var GRID = DATA.grid;
  var PARAMS = ["n", "k", "s", "p", "d", "op"];
  var LABELS = {n: "input size n", k: "kernel size k", s: "stride s", p: "padding p",
                d: "dilation d", op: "output padding"};
  var DEFAULTS = {n: 7, k: 3, s: 1, p: 0, d: 1, op: 0};
  var KINDS = ["letters", "edge", "deriv"];
  var MATRIX_CELLS = 1600;  // larger matrices are shown as a band of rows

  // ---------------------------------------------------------------- data from symconv
  function message(index) {
    var coded = DATA.errors[index], parts = DATA.templates[coded[0]].split("%"), out = parts[0];
    for (var i = 1; i < parts.length; i++) out += coded[1][i - 1] + parts[i];
    return out;
  }

  function settingIndex(mode, n, k, s, p, d) {
    var index = mode, values = {n: n, k: k, s: s, p: p, d: d};
    ["n", "k", "s", "p", "d"].forEach(function (name) {
      index = index * GRID[name].length + GRID[name].indexOf(values[name]);
    });
    return index;
  }

  // ---------------------------------------------------------------- the URL state
  function rangeText(name) {
    var values = GRID[name];
    if (name === "p") return "0, 1, 2, 3 or same";
    return "an integer from " + values[0] + " to " + values[values.length - 1];
  }

  function parse(search) {
    var q = new URLSearchParams(search), state = {problems: []};
    var nText = q.get("n") || String(DEFAULTS.n);
    state.dims = nText.indexOf("x") >= 0 ? 2 : 1;
    PARAMS.forEach(function (name) {
      var text = q.has(name) ? q.get(name) : String(DEFAULTS[name]);
      var parts = text.split("x");
      if (parts.length === 1 && state.dims === 2) parts = [parts[0], parts[0]];
      if (parts.length !== state.dims) {
        state.problems.push(name + " must have " + state.dims + " value" +
                            (state.dims === 2 ? "s (like 3x3)" : "") + " for a " + state.dims +
                            "-D input, but got " + JSON.stringify(text));
        parts = parts.slice(0, state.dims);
        while (parts.length < state.dims) parts.push(String(DEFAULTS[name]));
      }
      state[name] = parts.map(function (part) {
        var value = name === "p" && part === "same" ? "same" :
          (/^[0-9]+$/.test(part) ? parseInt(part, 10) : NaN);
        if (GRID[name].indexOf(value) < 0) {
          state.problems.push(name + " must be " + rangeText(name) + " on this page (the range " +
                              "symconv explore precomputed), but got " + JSON.stringify(part));
          value = DEFAULTS[name];
        }
        return value;
      });
    });
    state.t = q.get("t") === "1" ? 1 : 0;
    state.w = KINDS.indexOf(q.get("w")) >= 0 ? q.get("w") : "letters";
    var cell = (q.get("c") || "").split(",").map(function (v) { return parseInt(v, 10); });
    state.c = cell.length === state.dims && cell.every(function (v) { return v >= 0; }) ?
      cell : state.dims === 2 ? [0, 0] : [0];
    return state;
  }

  function query(state) {
    var parts = [];
    ["n", "k", "s", "p", "d"].forEach(function (name) {
      parts.push(name + "=" + state[name].join("x"));
    });
    parts.push("t=" + state.t);
    if (state.t) parts.push("op=" + state.op.join("x"));
    if (state.w !== "letters") parts.push("w=" + state.w);
    parts.push("c=" + state.c.join(","));
    return "?" + parts.join("&");
  }

  // ---------------------------------------------------------------- what the page shows
  function compute(state) {
    var result = {state: state, dims: state.dims, error: null, errorKind: null, axes: [],
                  sizes: null, kernel: null};
    if (state.problems.length) {
      result.error = state.problems[0];
      result.errorKind = "page";
      return result;
    }
    var mode = state.t ? "transposed" : "conv";
    for (var a = 0; a < state.dims; a++) {
      var ax = {n: state.n[a], k: state.k[a], s: state.s[a], p: state.p[a], d: state.d[a],
                op: state.t ? state.op[a] : 0};
      var value = DATA.sizes[settingIndex(state.t ? 1 + ax.op : 0, ax.n, ax.k, ax.s, ax.p, ax.d)];
      if (value < 0) {
        result.error = message(-1 - value);
        result.errorKind = "symconv";
        return result;
      }
      ax.out = value;
      var pads = ax.p === "same" ? DATA.same[ax.k + "," + ax.d] : [ax.p, ax.p];
      ax.lo = pads[0];
      ax.hi = pads[1];
      ax.geo = {};
      var rules = DATA.geometry[mode];
      for (var name in rules) {
        ax.geo[name] = rules[name](ax.n, ax.k, ax.s, ax.lo, ax.hi, ax.d, ax.op);
      }
      result.axes.push(ax);
    }
    result.sizes = result.axes.map(function (ax) { return ax.out; });
    var kernel = DATA.kernels[state.w + ":" + state.k.join("x")];
    if (kernel.error) {
      result.error = kernel.error;
      result.errorKind = "symconv";
      return result;
    }
    result.kernel = kernel.entries.map(function (i) { return DATA.values[i]; });
    return result;
  }

  // where x[i] sits in the frame: its index, or -1 for an inserted zero / padding
  function inputAt(ax, pos) {
    var rel = pos - ax.geo.x0;
    if (rel < 0 || rel % ax.geo.xstep !== 0) return -1;
    var i = rel / ax.geo.xstep;
    return i < ax.n ? i : -1;
  }

  // the k taps of output o along one axis: frame position, kernel index, input index
  function taps(ax, o) {
    var g = ax.geo, start = g.w0 + g.wstep * o, list = [];
    for (var j = 0; j < ax.k; j++) {
      var pos = start + g.tap * j;
      list.push({pos: pos, m: g.flip ? ax.k - 1 - j : j, i: inputAt(ax, pos)});
    }
    return list;
  }

  function combos(lists) {
    return lists.reduce(function (acc, list) {
      var out = [];
      acc.forEach(function (prefix) {
        list.forEach(function (item) { out.push(prefix.concat([item])); });
      });
      return out;
    }, [[]]);
  }

  // the terms weight * x[...] of one output cell, ordered like the matrix columns
  function terms(result, cell) {
    var axes = result.axes, per = axes.map(function (ax, a) {
      return taps(ax, cell[a]).filter(function (t) { return t.i >= 0; });
    });
    var list = [];
    combos(per).forEach(function (combo) {
      var flat = 0, col = 0;
      combo.forEach(function (t, a) {
        flat = flat * axes[a].k + t.m;
        col = col * axes[a].n + t.i;
      });
      var entry = result.kernel[flat];
      if (!entry.zero) list.push({entry: entry, x: combo.map(function (t) { return t.i; }), col: col});
    });
    list.sort(function (u, v) { return u.col - v.col; });
    return list;
  }

  function cellFormula(result, cell) {
    var list = terms(result, cell), text = "y[" + cell.join(",") + "] = ";
    var tex = "y_{" + cell.join(",") + "} = ";
    if (!list.length) return {text: text + "0", tex: tex + "0", terms: list};
    // long sums are broken into lines: one input row per line in 2-D, six terms in 1-D
    var lines = list.length > 6;
    if (lines) tex = "\\begin{aligned}" + tex.replace(" = ", " &= ");
    list.forEach(function (term, n) {
      text += (n ? term.entry.cont : term.entry.lead) + "x[" + term.x.join(",") + "]";
      var next = result.dims === 2 ? n && term.x[0] !== list[n - 1].x[0] : n && n % 6 === 0;
      if (lines && next) tex += " \\\\ &\\quad";
      tex += (n ? term.entry.contTex : term.entry.leadTex) + "x_{" + term.x.join(",") + "}";
    });
    if (lines) tex += "\\end{aligned}";
    return {text: text, tex: tex, terms: list};
  }

  // ---------------------------------------------------------------- drawing
  var state, result, timer = null;

  function $(id) { return document.getElementById(id); }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function math(node, tex, display) {
    node.textContent = "";
    window.katex.render(tex, node, {throwOnError: false, displayMode: !!display});
  }

  function buildSliders() {
    var box = $("sliders");
    box.textContent = "";
    PARAMS.forEach(function (name) {
      var row = el("div", "row param");
      row.appendChild(el("span", "label", LABELS[name]));
      for (var a = 0; a < state.dims; a++) {
        var id = name + "-" + a, input;
        if (name === "p") {
          input = el("select");
          GRID.p.forEach(function (v) {
            var option = el("option", "", String(v));
            option.value = String(v);
            input.appendChild(option);
          });
        } else {
          input = el("input");
          input.type = "range";
          input.min = GRID[name][0];
          input.max = GRID[name][GRID[name].length - 1];
          input.step = 1;
        }
        input.id = id;
        input.setAttribute("aria-label", LABELS[name] + (state.dims === 2 ? [" (rows)", " (columns)"][a] : ""));
        input.dataset.param = name;
        input.dataset.axis = a;
        input.addEventListener("input", onSlider);
        row.appendChild(input);
        row.appendChild(el("output", "value", ""));
        if (a === 0 && state.dims === 2) row.appendChild(el("span", "times", "×"));
      }
      box.appendChild(row);
    });
  }

  function syncControls() {
    $("dims").value = String(state.dims);
    $("transposed").checked = !!state.t;
    $("kernel").value = state.w;
    if (document.querySelectorAll("#sliders [data-param]").length !== PARAMS.length * state.dims) {
      buildSliders();
    }
    PARAMS.forEach(function (name) {
      for (var a = 0; a < state.dims; a++) {
        var input = $(name + "-" + a);
        input.value = String(state[name][a]);
        input.disabled = name === "op" && !state.t;
        input.nextSibling.textContent = String(state[name][a]);
      }
    });
  }

  function onSlider(event) {
    var input = event.target, name = input.dataset.param, a = +input.dataset.axis;
    state[name][a] = name === "p" && input.value === "same" ? "same" : parseInt(input.value, 10);
    state.problems = [];
    update();
  }

  function drawSummary() {
    $("output-size").textContent = result.sizes ? result.sizes.join(" × ") : "—";
    // #error-message holds exactly the text of symconv's SymconvError (or the page's own
    // message about the URL, class "page")
    var box = $("error");
    box.hidden = !result.error;
    box.textContent = "";
    box.className = result.errorKind === "page" ? "page" : "symconv";
    if (result.error) {
      box.appendChild(el("strong", "", result.errorKind === "page" ? "Not on this page: " : "SymconvError: "));
      var text = el("span", "", result.error);
      text.id = "error-message";
      box.appendChild(text);
    }
    var formulas = $("size-formula");
    formulas.textContent = "";
    if (!result.sizes) return;
    var f = DATA.formulas[state.t ? "transposed" : "conv"];
    result.axes.forEach(function (ax, a) {
      var values = {n: ax.n, k: ax.k, s: ax.s, lo: ax.lo, hi: ax.hi, d: ax.d, op: ax.op};
      var numbers = f.template.replace(/@([a-z]+)@/g, function (_, name) { return String(values[name]); });
      var head = state.dims === 2 ? "\\text{" + ["rows", "columns"][a] + "}" : "\\text{out}";
      var line = el("div", "formula");
      math(line, "\\begin{aligned}" + head + " &= " + f.tex + " \\\\ &= " + numbers + " \\\\ &= " +
           ax.out + "\\end{aligned}", true);
      formulas.appendChild(line);
      if (ax.p === "same") {
        formulas.appendChild(el("p", "caption", "padding 'same' = (p_lo, p_hi) = (" + ax.lo + ", " +
                                ax.hi + ") (symconv.same_padding)"));
      }
    });
  }

  function frameKind(ax, pos) {
    if (inputAt(ax, pos) >= 0) return "x";
    var rel = pos - ax.geo.x0;
    return rel > 0 && rel < (ax.n - 1) * ax.geo.xstep ? "inserted" : "pad";
  }

  function cellSize(count) {
    return Math.max(10, Math.min(34, Math.floor(640 / Math.max(count, 1))));
  }

  function escape(text) {
    return String(text).replace(/[&<>"]/g, function (c) {
      return {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;"}[c];
    });
  }

  // grids are written as one HTML string: thousands of cells stay fast to redraw
  function gridHtml(cls, cols, size, cells) {
    return '<div class="grid ' + cls + '" style="grid-template-columns: repeat(' + cols + ", " +
      size + "px); --cell: " + size + 'px">' + cells.join("") + "</div>";
  }

  function drawFrame() {
    var box = $("frame");
    box.textContent = "";
    $("frame-title").textContent = state.t ? "the sliding window over the zero-inserted input" :
      "the sliding window over the padded input";
    if (!result.kernel) { $("frame-caption").textContent = ""; return; }
    var axes = result.axes;
    $("frame-caption").textContent = state.t ?
      "x with s − 1 zeros between entries and d·(k − 1) zeros around it (plus the output padding at " +
      "the end); the flipped kernel slides one step at a time, and the first p_lo and last p_hi " +
      "outputs are cropped." :
      "x with p_lo zeros before and p_hi zeros after; the kernel moves s steps per output and its taps " +
      "are d apart.";
    var tapAt = {};
    combos(axes.map(function (ax, a) { return taps(ax, state.c[a]); })).forEach(function (combo) {
      var flat = 0;
      combo.forEach(function (t, a) { flat = flat * axes[a].k + t.m; });
      tapAt[combo.map(function (t) { return t.pos; }).join(",")] = result.kernel[flat];
    });
    var rows = state.dims === 2 ? axes[0].geo.L : 1, cols = axes[state.dims - 1].geo.L;
    var size = cellSize(Math.max(rows, cols)), cells = [];
    for (var r = 0; r < rows; r++) {
      for (var c = 0; c < cols; c++) {
        var pos = state.dims === 2 ? [r, c] : [c];
        var kinds = pos.map(function (p, a) { return frameKind(axes[a], p); });
        var kind = kinds.every(function (k) { return k === "x"; }) ? "x" :
          kinds.indexOf("pad") >= 0 ? "pad" : "inserted";
        var index = pos.map(function (p, a) { return inputAt(axes[a], p); });
        var label = size < 24 ? "" : kind !== "x" ? "0" : state.dims === 1 ? "x" + index[0] : "";
        var title = kind === "x" ? "x[" + index.join(",") + "]" : kind === "pad" ? "padding zero" :
          "inserted zero";
        var tap = tapAt[pos.join(",")], badge = "";
        if (tap) {
          title += " × " + tap.text;
          badge = '<span class="badge">' + (size >= 18 ? escape(tap.text) : "") + "</span>";
        }
        cells.push('<div class="cell ' + kind + (tap ? " tap" : "") + '" title="' + escape(title) +
                   '">' + label + badge + "</div>");
      }
    }
    box.innerHTML = gridHtml("frame", cols, size, cells);
  }

  function drawKernel() {
    var box = $("kernel-view");
    box.textContent = "";
    if (!result.kernel) return;
    var k = state.k, cols = k[k.length - 1];
    var grid = el("div", "grid kernel");
    grid.style.gridTemplateColumns = "repeat(" + cols + ", auto)";
    result.kernel.forEach(function (entry) { grid.appendChild(el("div", "cell k", entry.text)); });
    box.appendChild(grid);
  }

  function drawOutputs() {
    var box = $("outputs");
    box.textContent = "";
    if (!result.kernel) return;
    var sizes = result.sizes, rows = state.dims === 2 ? sizes[0] : 1, cols = sizes[state.dims - 1];
    var size = cellSize(Math.max(rows, cols)), selected = state.c.join(","), cells = [];
    for (var r = 0; r < rows; r++) {
      for (var c = 0; c < cols; c++) {
        var cell = state.dims === 2 ? [r, c] : [c];
        cells.push('<button type="button" class="cell out' + (cell.join(",") === selected ? " selected" : "") +
                   '" id="out-' + cell.join("-") + '" data-cell="' + cell.join(",") + '" title="y[' +
                   cell.join(",") + ']">' + (size >= 24 && state.dims === 1 ? "y" + c : "") + "</button>");
      }
    }
    box.innerHTML = gridHtml("outputs", cols, size, cells);
  }

  function onCell(event) {
    var button = event.target.closest ? event.target.closest("button[data-cell]") : null;
    if (!button) return;
    stop();
    state.c = button.dataset.cell.split(",").map(Number);
    update();
  }

  function drawFormula() {
    var box = $("cell-formula");
    if (!result.kernel) {
      box.textContent = "";
      box.removeAttribute("data-formula");
      box.removeAttribute("aria-label");
      return;
    }
    var f = cellFormula(result, state.c);
    math(box, f.tex, true);
    box.setAttribute("data-formula", f.text);
    box.setAttribute("data-tex", f.tex);
    box.setAttribute("aria-label", f.text);
  }

  function drawMatrix() {
    var box = $("matrix");
    box.textContent = "";
    if (!result.kernel) { $("matrix-caption").textContent = ""; return; }
    var sizes = result.sizes, axes = result.axes;
    var nRows = sizes.reduce(function (a, b) { return a * b; }, 1);
    var nCols = axes.reduce(function (a, ax) { return a * ax.n; }, 1);
    var selected = state.dims === 2 ? state.c[0] * sizes[1] + state.c[1] : state.c[0];
    var first = 0, last = nRows - 1;
    if (nRows * nCols > MATRIX_CELLS) {
      first = Math.max(0, selected - 3);
      last = Math.min(nRows - 1, selected + 3);
    }
    $("matrix-title").textContent = state.t ? "as a matrix: vec(y) = T vec(x), T = Mᵀ" :
      "as a matrix: vec(y) = M vec(x)";
    $("matrix-caption").textContent = nRows + " × " + nCols + " (row-major vec, x unpadded)" +
      (first > 0 || last < nRows - 1 ? "; rows " + first + "–" + last + " shown" : "") +
      "; the highlighted row is the selected cell.";
    var table = el("table", "matrix");
    var head = el("tr");
    head.appendChild(el("th", "", ""));
    for (var j = 0; j < nCols; j++) {
      var label = state.dims === 2 ? Math.floor(j / axes[1].n) + "," + (j % axes[1].n) : String(j);
      head.appendChild(el("th", "", "x" + (nCols <= 40 ? label : "")));
    }
    table.appendChild(head);
    for (var r = first; r <= last; r++) {
      var cell = state.dims === 2 ? [Math.floor(r / sizes[1]), r % sizes[1]] : [r];
      var row = el("tr", r === selected ? "selected" : "");
      row.appendChild(el("th", "", "y[" + cell.join(",") + "]"));
      var values = {};
      terms(result, cell).forEach(function (t) { values[t.col] = t.entry.text; });
      for (var col = 0; col < nCols; col++) {
        row.appendChild(el("td", values[col] ? "nz" : "", values[col] || "0"));
      }
      table.appendChild(row);
    }
    box.appendChild(table);
    var mark = table.querySelector("tr.selected");
    if (mark && box.scrollHeight > box.clientHeight) {
      box.scrollTop = mark.offsetTop - box.clientHeight / 2;
    }
  }

  function update() {
    result = compute(state);
    if (result.sizes) {
      state.c = state.c.map(function (v, a) { return Math.min(v, result.sizes[a] - 1); });
    }
    syncControls();
    var search = query(state);
    if (window.history && window.history.replaceState) {
      try { window.history.replaceState(null, "", search); } catch (e) { /* some file:// setups */ }
    }
    $("share").href = search;
    drawSummary();
    drawFrame();
    drawKernel();
    drawOutputs();
    drawFormula();
    drawMatrix();
  }

  // ---------------------------------------------------------------- animation
  function step() {
    if (!result.sizes || !result.kernel) return stop();
    var sizes = result.sizes, flat = 0;
    state.c.forEach(function (v, a) { flat = flat * sizes[a] + v; });
    flat = (flat + 1) % sizes.reduce(function (a, b) { return a * b; }, 1);
    state.c = state.dims === 2 ? [Math.floor(flat / sizes[1]), flat % sizes[1]] : [flat];
    update();
  }

  function stop() {
    if (timer) clearInterval(timer);
    timer = null;
    $("play").setAttribute("aria-pressed", "false");
    $("play").innerHTML = "&#9654; slide the window";
  }

  function toggle() {
    if (timer) return stop();
    timer = setInterval(step, 700);
    $("play").setAttribute("aria-pressed", "true");
    $("play").innerHTML = "&#10073;&#10073; pause";
  }

  // ---------------------------------------------------------------- start
  function resize(list, dims) {
    return dims === 2 ? [list[0], list[0]] : [list[0]];
  }

  function start() {
    state = parse(window.location.search);
    $("symconv-version").textContent = DATA.symconv;
    $("dims").addEventListener("change", function () {
      state.dims = parseInt($("dims").value, 10);
      PARAMS.forEach(function (name) { state[name] = resize(state[name], state.dims); });
      state.c = state.dims === 2 ? [0, 0] : [0];
      state.problems = [];
      update();
    });
    $("transposed").addEventListener("change", function () {
      state.t = $("transposed").checked ? 1 : 0;
      state.problems = [];
      update();
    });
    $("kernel").addEventListener("change", function () {
      state.w = $("kernel").value;
      state.problems = [];
      update();
    });
    $("play").addEventListener("click", toggle);
    $("outputs").addEventListener("click", onCell);
    update();
  }

  window.symconvExplorer = {
    parse: parse, query: query, compute: compute, cellFormula: cellFormula,
    check: function (search, cell) {
      // everything a test compares with symconv, for one URL query
      var r = compute(parse(search));
      var out = {error: r.error, errorKind: r.errorKind, sizes: r.sizes};
      if (r.kernel && cell) out.formula = cellFormula(r, cell).text;
      return out;
    }
  };
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
