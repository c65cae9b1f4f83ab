"""The REPL and notebook experience: a tidy namespace and readable results.

* ``import symconv as sc`` exposes exactly the public API (``dir(sc) == sorted(sc.__all__)``),
  every public name resolves to the object its module defines, and nothing private shows.
* Results (derivations, proof reports, cross-check reports, shape tables, kernels, grades,
  exercise solutions) print readably in a terminal (``str``: several informative lines;
  ``repr``: one line, or the same text as ``str``) and, where they define them, their
  ``_repr_latex_`` / ``_repr_html_`` are well formed (balanced delimiters, environments
  and tags) and the LaTeX compiles with pdflatex.
"""

import html.parser
import importlib
import json
import re
import shutil
import subprocess
import sys
import textwrap

import pytest
import sympy as sp

import symconv as sc


def _fresh(code):
    """Run ``code`` in a fresh interpreter (clean import state); return its stdout."""
    out = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return out.stdout


# --------------------------------------------------------------------------- the namespace

def test_dir_is_exactly_the_public_api():
    found = json.loads(_fresh("""
        import json, symconv as sc
        print(json.dumps({"dir": dir(sc), "all": sc.__all__}))
    """))
    assert found["dir"] == sorted(found["all"])
    assert len(set(found["all"])) == len(found["all"])
    assert not [n for n in found["dir"] if n.startswith("_")]


def test_dir_stays_tidy_after_use():
    # using the library imports many submodules; none of them may leak into dir()
    t = sp.Symbol("t", real=True)
    sc.conv(sc.u(t), sc.u(t), t, verify=True)
    sc.infer_shapes("lenet5")
    importlib.import_module("symconv.grading")
    assert dir(sc) == sorted(sc.__all__)


def test_every_public_name_resolves_to_its_definition():
    report = json.loads(_fresh("""
        import importlib, inspect, json, types, symconv as sc
        bad = []
        for name in sc.__all__:
            value = getattr(sc, name)
            if name in sc._API:
                home = importlib.import_module("symconv." + sc._API[name])
                if value is not getattr(home, name):
                    bad.append(name + ": not the object defined in symconv." + sc._API[name])
                if not (inspect.getdoc(value) or "").strip():
                    bad.append(name + ": no docstring")
            elif name in sc._SUBMODULES:
                if not isinstance(value, types.ModuleType):
                    bad.append(name + ": not a module")
            elif name != "SymconvError":
                bad.append(name + ": neither in _API nor a submodule")
        print(json.dumps(bad))
    """))
    assert report == []


def test_the_public_api_is_the_documented_one():
    # the names fixed by the design document, plus the REPL helper explain
    design = {"u", "delta", "rect", "tri", "flip", "conv", "corr", "conv_seq", "corr_seq",
              "corr2d", "corr2d_multi_in", "corr2d_multi_in_out", "pool2d", "conv_layer",
              "conv_transpose_layer", "pool_layer", "conv_output_size",
              "conv_transpose_output_size", "pool_output_size", "same_padding",
              "receptive_field", "infer_shapes", "conv_matrix", "conv_transpose_matrix",
              "derivative_kernel", "integral_kernel", "min_kernel_size", "mlp_to_conv",
              "Derivation", "theorem", "check_proof", "crosscheck", "SymconvError", "explain",
              "numeric", "grading", "latex", "architectures"}
    assert design <= set(sc.__all__)


def test_unknown_names_raise_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'convolve'"):
        sc.convolve  # noqa: B018  (numeric's convolve lives in symconv.numeric)


def test_explain_stays_the_function_after_its_module_is_imported():
    # the submodule import would bind the module to symconv.explain; the package keeps
    # the public function there instead
    out = _fresh("""
        from symconv.explain import explain
        import sympy as sp, symconv as sc
        print(sc.explain(sp.Symbol("t"), quiet=True).splitlines()[0])
        print(sc.explain is explain)
    """)
    assert out.splitlines() == ["a plain SymPy expression: t", "True"]


def test_crosscheck_survives_its_module_being_imported():
    out = _fresh("""
        import sympy as sp, symconv as sc
        t = sp.Symbol("t", real=True)
        sc.conv(sc.u(t), sc.u(t), t, verify=True)   # imports symconv.verify
        print(callable(sc.crosscheck))
    """)
    assert out.split() == ["True"]


# --------------------------------------------------------------------------- display objects

def _make_objects():
    t = sp.Symbol("t", real=True)
    a, b = sp.symbols("a b", positive=True)
    derivation = sc.theorem("commutativity", kind="discrete")
    objects = {
        "Derivation": derivation,
        "ProofReport": derivation.check(),
        "ProofReport (refuted)": sc.check_proof(["sum(f(k)*g(n-k), (k, -oo, oo))",
                                                 "= sum(f(k)*g(n+k), (k, -oo, oo))  # wrong"]),
        "ShapeTable": sc.infer_shapes("alexnet", (3, "n", "n")),
        "ShapeTable (numeric)": sc.infer_shapes("lenet5"),
        "Checked": sc.conv(sp.exp(-a * t) * sc.u(t), sp.exp(-b * t) * sc.u(t), t, verify=True),
        "Kernel": sc.derivative_kernel(2),
        "Kernel (2-d)": importlib.import_module("symconv.nn.kernels").laplacian_kernel(),
        "MinSizeArgument": sc.min_kernel_size(2, explain=True),
        "Architecture": sc.architectures.get("lenet5"),
        "mlp_to_conv Derivation": sc.mlp_to_conv(3, 3, delta=1),
    }
    objects["CrosscheckReport"] = objects["Checked"].report
    objects["KernelReport"] = objects["Kernel"].verify()
    import symconv.grading as sg

    key = {"type": "expression", "answer": "2n + 1", "points": 1,
           "variables": {"n": {"domain": "integer", "min": 0, "max": 20}}}
    objects["GradeResult"] = sg.grade("2n", key)
    objects["Verdict"] = sg.equivalent("2*x + 2", "2*(x + 1)")
    ex = importlib.import_module("symconv.exercises")
    objects["Solution"] = ex.all_exercises()[0].solve()
    return objects


@pytest.fixture(scope="module")
def objects():
    return _make_objects()


NAMES = ["Derivation", "ProofReport", "ProofReport (refuted)", "ShapeTable",
         "ShapeTable (numeric)", "Checked", "CrosscheckReport", "Kernel", "Kernel (2-d)",
         "KernelReport", "MinSizeArgument", "Architecture", "mlp_to_conv Derivation",
         "GradeResult", "Verdict", "Solution"]

def _get(objects, name):
    return objects[name]


@pytest.mark.parametrize("name", NAMES)
def test_str_reads_well_in_a_terminal(objects, name):
    obj = _get(objects, name)
    text = str(obj)
    assert "object at 0x" not in text
    lines = text.splitlines()
    assert lines and max(len(line) for line in lines) <= 400, text
    assert not text.startswith(type(obj).__name__ + "("), "str() is the generated repr"


@pytest.mark.parametrize("name", NAMES)
def test_repr_is_one_line_or_the_text(objects, name):
    obj = _get(objects, name)
    text = repr(obj)
    assert "object at 0x" not in text
    assert text == str(obj) or ("\n" not in text and len(text) <= 200), text


def _balanced_latex(tex):
    depth = 0
    for i, ch in enumerate(tex):
        if ch == "{" and (i == 0 or tex[i - 1] != "\\"):
            depth += 1
        elif ch == "}" and (i == 0 or tex[i - 1] != "\\"):
            depth -= 1
            assert depth >= 0, f"unbalanced braces in {tex!r}"
    assert depth == 0, f"unbalanced braces in {tex!r}"
    begins = re.findall(r"\\begin\{([^}]*)\}", tex)
    ends = re.findall(r"\\end\{([^}]*)\}", tex)
    assert begins == ends[::-1] or sorted(begins) == sorted(ends), (begins, ends)


def _math_body(tex):
    tex = tex.strip()
    for left, right in (("$$", "$$"), ("$", "$"), (r"\[", r"\]")):
        if tex.startswith(left) and tex.endswith(right) and len(tex) > len(left) + len(right):
            return tex[len(left):-len(right)]
    if tex.startswith(r"\begin{"):
        return tex
    raise AssertionError(f"_repr_latex_ must be math ($...$, $$...$$), but got {tex[:80]!r}")


class _TagChecker(html.parser.HTMLParser):
    VOID = {"br", "hr", "img", "col", "meta", "input"}

    def __init__(self):
        super().__init__()
        self.stack, self.errors = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_endtag(self, tag):
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:]}")
        else:
            self.stack.pop()


@pytest.mark.parametrize("name", [n for n in NAMES if n != "Architecture"])
def test_rich_display_is_well_formed(objects, name):
    obj = _get(objects, name)
    latex = getattr(obj, "_repr_latex_", None)
    markup = getattr(obj, "_repr_html_", None)
    assert latex is not None or markup is not None, f"{name} has no rich display"
    if latex is not None:
        body = _math_body(latex())
        _balanced_latex(body)
    if markup is not None:
        checker = _TagChecker()
        checker.feed(markup())
        checker.close()
        assert checker.errors == [] and checker.stack == []


def test_shape_table_displays_agree_with_the_rows(objects):
    table = objects["ShapeTable"]
    markup = table._repr_html_()
    for row in table.rows:
        assert html.escape(row.name) in markup and html.escape(row.description) in markup
    assert "valid for integer n &gt;= 63" in markup
    assert table._repr_latex_().count(r"\\") == len(table.rows) + 1


def test_every_repr_latex_compiles(objects, tmp_path):
    if shutil.which("pdflatex") is None:
        pytest.skip("pdflatex is not installed")
    from symconv.latex import compile_pdf

    parts = []
    for name in NAMES:
        obj = objects.get(name)
        method = getattr(obj, "_repr_latex_", None)
        if method is not None:
            body = _math_body(method())
            parts.append(f"% {name}\n\\[\n{body}\n\\]\n" if not body.startswith(r"\begin{align*}")
                         else body)
    assert len(parts) >= 6
    tex = ("\\documentclass{article}\n\\usepackage{amsmath,amssymb}\n\\begin{document}\n"
           + "\n".join(parts) + "\n\\end{document}\n")
    compile_pdf(tex, tmp_path / "reprs.pdf")
    assert (tmp_path / "reprs.pdf").stat().st_size > 1000


def _well_formed_html(markup):
    checker = _TagChecker()
    checker.feed(markup)
    checker.close()
    assert checker.errors == [] and checker.stack == [], (checker.errors, checker.stack)


HOSTILE = "<img src=x onerror=alert(1)> & </div>"


def test_batch_report_displays(tmp_path):
    import symconv.grading as sg

    key = {"type": "expression", "answer": "2n + 1", "points": 1,
           "variables": {"n": {"domain": "integer", "min": 0, "max": 20}}}
    rows = [{"student": HOSTILE, "part": "p", "answer": "2n + 1"},
            {"student": "bob", "part": "p", "answer": "2n"}]
    report = sg.grade_batch(rows, {"p": key}, workers=0)
    assert repr(report) == "<BatchReport 2 row(s): correct 1, incorrect 1>"
    assert str(report).splitlines()[1] == ("outcomes: correct 1, partial 0, incorrect 1, "
                                           "invalid 0, timeout 0")
    markup = report._repr_html_()
    _well_formed_html(markup)
    assert HOSTILE not in markup and html.escape(HOSTILE) in markup
    assert str(sg.BatchReport([])) == "0 result row(s), no summary"


def test_user_text_is_escaped_in_html_displays():
    from symconv.verify import CrosscheckReport
    from symconv.grading import GradeResult
    from symconv.grading.equivalence import TrailEntry, Verdict

    trail = [TrailEntry("parse", "invalid", HOSTILE)]
    shown = [GradeResult(0.0, 1.0, "invalid", HOSTILE, trail),
             Verdict("undecided", None, False, trail, detail=HOSTILE),
             CrosscheckReport(None, None, None, 0, HOSTILE, 0, "continuous", "conv",
                              reason=HOSTILE, notes=(HOSTILE,))]
    for obj in shown:
        markup = obj._repr_html_()
        _well_formed_html(markup)
        assert HOSTILE not in markup and html.escape(HOSTILE) in markup
        assert "\n" not in repr(obj) and len(repr(obj)) <= 200


def test_one_line_reprs_say_the_outcome(objects):
    assert repr(objects["GradeResult"]) == "<GradeResult incorrect 0/1 by expand (proven)>"
    assert repr(objects["Verdict"]) == "<Verdict equivalent (by structural, proven)>"
    report = objects["CrosscheckReport"]
    assert repr(report).startswith("<CrosscheckReport continuous conv: agree, max error ")
    assert repr(objects["Checked"]).endswith(f", <{report.short()}>)")
    solution = objects["Solution"]
    assert repr(solution).startswith(f"<Solution {solution.exercise.id}: "
                                     f"{len(solution.parts)} part(s), {solution.status}, ")
    # the notebook display of a solution shows every part's status and the exercise text
    assert solution._repr_latex_().count(r"\text{[") == len(solution.parts)
    assert html.escape(solution.exercise.prompt.split("\n\n")[0]) in solution._repr_html_()


def test_results_print_as_reports_under_sympy_printers():
    """Under sympy.init_printing() the REPL pretty-prints every value: a checked result
    shows its value and one report line (not a tuple of the value and the whole report),
    and multi-line reports are left-aligned and wrapped, not centred."""
    import sympy as sp

    import symconv as sc

    t = sp.Symbol("t", real=True)
    checked = sc.conv(sp.exp(-t) * sc.u(t), sc.u(t), t, verify=True)
    pretty = sp.pretty(checked, use_unicode=False)
    assert pretty.splitlines()[-1].startswith("[continuous conv: agree") or \
        "[continuous conv: agree" in pretty.splitlines()[-2]
    assert not pretty.lstrip().startswith("(")          # not a tuple
    assert sp.sstr(checked) == repr(checked)
    kernel = sc.derivative_kernel(1)
    lines = sp.pretty(kernel).splitlines()
    assert lines[0].startswith("first derivative")       # left-aligned, not centred
    assert all(len(line) <= 79 for line in lines)
    table = sc.infer_shapes("lenet5")
    assert sp.pretty(table).splitlines()[0].startswith("lenet5")


def test_checked_in_ipython_shows_value_and_report_line():
    pretty = pytest.importorskip("IPython.lib.pretty", reason="IPython is not installed")
    import sympy as sp

    import symconv as sc

    t = sp.Symbol("t", real=True)
    checked = sc.conv(sc.u(t), sc.u(t), t, verify=True)
    text = pretty.pretty(checked)
    assert "[continuous conv: agree" in text and "t" in text.splitlines()[0]
