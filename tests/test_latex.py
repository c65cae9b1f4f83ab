"""Tests of symconv.latex: escaping, safe math rendering, documents, real compilation."""

import os
import re
import shutil

import pytest
import sympy as sp

from symconv.errors import SymconvError
from symconv.latex import (compile_pdf, document, escape_text, expr_latex, note, overfull_boxes,
                           prose)
from symconv.proofs import Derivation, check_proof
from symconv.proofs.theorems import NAMES, kinds, theorem

HAVE_TEX = shutil.which("pdflatex") is not None
needs_tex = pytest.mark.skipif(not HAVE_TEX, reason="pdflatex is not installed")

HOSTILE = [r"\input{/etc/passwd}", r"\write18{touch x}", r"\immediate\write18{rm -rf ~}",
           r"\def\x{boom}\x", r"\catcode`\@=11", "^^5cinput{/etc/passwd}", "%comment } {",
           r"$\csname end\endcsname$", "& # _ ~ ^ | < > \"", "\\"]


@pytest.mark.parametrize("text", HOSTILE)
def test_escaped_text_has_no_control_sequence_of_the_input(text):
    out = escape_text(text)
    # every backslash of the output starts one of the printing commands we emit
    allowed = {"textbackslash", "textasciicircum", "textasciitilde", "ensuremath", "{", "}", "$",
               "&", "#", "%", "_"}
    for cs in re.findall(r"\\([A-Za-z]+|.)", out):
        assert cs in allowed, (text, out, cs)
    assert "^^" not in out
    # unescaping the printing commands gives the input back
    back = (out.replace(r"\textbackslash{}", "\\").replace(r"\textasciicircum{}", "^")
            .replace(r"\textasciitilde{}", "~").replace(r"\ensuremath{<}", "<")
            .replace(r"\ensuremath{>}", ">").replace(r"\ensuremath{|}", "|")
            .replace("``", '"').replace("''", '"'))
    back = re.sub(r"\\([{}$&#%_])", r"\1", back)
    assert back == text


def test_escape_text_unicode_and_control_characters():
    assert escape_text("τ→∞") == r"\ensuremath{\tau}\ensuremath{\to}\ensuremath{\infty}"
    assert escape_text("a\x00b\nc") == "ab c"
    assert escape_text("日本") == "??"
    with pytest.raises(SymconvError):
        escape_text(3)


def test_expr_latex_neutralises_hostile_names():
    evil = sp.Symbol(r"\input{/etc/passwd}")
    assert sp.latex(evil) == r"\input{/etc/passwd}"  # what plain SymPy would emit
    out = expr_latex(evil + 1)
    assert r"\input" not in out and r"\textbackslash{}input" in out
    f = sp.Function(r"\write18{touch x}")
    out = expr_latex(f(sp.Symbol("t")))
    assert r"\write18" not in out
    assert expr_latex(sp.Symbol("x_1") ** 2) == "x_{1}^{2}"
    assert expr_latex("a & b") == r"\text{a \& b}"


@pytest.mark.parametrize("name", ["a%b", "a%%s", "%s", "x%(y)s"])
def test_expr_latex_function_names_with_percent(name):
    # SymPy splices function names into a %-format string; '%' must not reach it raw
    t = sp.Symbol("t")
    f = sp.Function(name)
    expected = r"\text{" + escape_text(name) + r"}{\left(t \right)}"
    assert expr_latex(f(t)) == expected
    assert expr_latex(f(t) ** 2) == r"\left(" + expected + r"\right)^{2}"
    assert "%" not in expr_latex(f(t) + 1).replace(r"\%", "")
    assert expr_latex(sp.Function("g")(t) ** 2) == sp.latex(sp.Function("g")(t) ** 2)


def test_note_wraps_long_justifications():
    assert note("short") == r"\text{short}"
    long = note("a rather long justification that would push the line off the page")
    assert r"\parbox" in long


def test_document_structure_and_items():
    d = Derivation([sp.Symbol("x") * 2, (sp.Symbol("x") + sp.Symbol("x"), "collect")])
    table = [["n", "size"], ["3", sp.Symbol("n") + 2]]
    tex = document(["Intro with 100% & $", d, d.check(), sp.Integer(5), table], title=r"T \input{x}")
    assert tex.startswith(r"\documentclass")
    packages = re.findall(r"\\usepackage\{([^}]*)\}", tex)
    assert packages == ["amsmath", "amssymb"]
    assert r"\textbackslash{}input" in tex and r"100\% \& \$" in tex
    assert tex.count(r"\begin{align*}") == 2 and r"\begin{tabular}" in tex
    assert tex.rstrip().endswith(r"\end{document}")
    with pytest.raises(SymconvError, match="a document item must be"):
        document([object()])


@needs_tex
def test_all_theorems_compile(tmp_path):
    items = []
    for name in NAMES:
        for kind in kinds(name):
            d = theorem(name, kind=kind)
            items += [d.title, d]
    out = compile_pdf(document(items, title="The symconv theorem library"), tmp_path / "all.pdf")
    assert out.read_bytes().startswith(b"%PDF")


@needs_tex
def test_checked_reports_compile(tmp_path):
    reports = [theorem("convolution_theorem", kind=k).check() for k in ("laplace", "z")]
    bad = check_proof(["sum(f(k)*g(n-k), (k, -oo, oo))", "sum(f(k)*g(n+k), (k, -oo, oo))  # 50% sure & \\o/"])
    assert not bad.valid
    out = compile_pdf(document(reports + [bad], title="Reports"), tmp_path / "reports.pdf")
    assert out.stat().st_size > 1000


@needs_tex
def test_hostile_text_is_printed_and_has_no_effect(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "x"
    proof = check_proof(["f(n)", r"f(n)  # \write18{touch x} \input{/etc/passwd}",
                         r"\input{/etc/passwd}", r"\def\x{y} f(n)"])
    # an unparsable line is "could not be parsed" and the proof stops there
    assert [s.status for s in proof.steps] == ["proven", "unverified", "unverified"]
    assert "could not be parsed" in proof.steps[1].reason
    tex = document(HOSTILE + [proof], title=r"\write18{touch x}")
    assert r"\write18" not in tex and r"\input{/etc" not in tex
    compile_pdf(tex, tmp_path / "hostile.pdf")
    assert (tmp_path / "hostile.pdf").exists()
    assert not marker.exists() and not os.path.exists(os.path.expanduser("~/x"))


@needs_tex
def test_the_engine_itself_is_locked_down(tmp_path):
    # even raw (unescaped) LaTeX cannot run commands or read absolute paths
    marker = tmp_path / "ran"
    raw = ("\\documentclass{article}\\begin{document}\\immediate\\write18{touch " + str(marker)
           + "}hello\\end{document}")
    compile_pdf(raw, tmp_path / "raw.pdf")
    assert not marker.exists()
    with pytest.raises(SymconvError, match="must compile"):
        compile_pdf("\\documentclass{article}\\begin{document}\\input{/etc/passwd}\\end{document}",
                    tmp_path / "passwd.pdf")


@needs_tex
def test_compile_errors_and_undefined_control_sequences_are_reported(tmp_path):
    with pytest.raises(SymconvError, match="Undefined control sequence"):
        compile_pdf("\\documentclass{article}\\begin{document}\\nosuchmacro\\end{document}",
                    tmp_path / "bad.pdf")
    with pytest.raises(SymconvError):
        compile_pdf("not latex at all", tmp_path / "bad2.pdf")
    with pytest.raises(SymconvError, match="tex must be a str"):
        compile_pdf(b"bytes", tmp_path / "bad3.pdf")


# --- one notation for the signals (issue 13) -----------------------------------------

def test_signals_print_in_course_notation():
    import sympy as sp
    from symconv.latex import latex
    from symconv.signals import delta, ramp, rect, tri, u

    t = sp.Symbol("t", real=True)
    n = sp.Symbol("n", integer=True)
    T = sp.Symbol("T", positive=True)
    assert latex(u(t)) == r"u\left(t\right)"
    assert latex(u(n)) == r"u\left[n\right]"
    assert latex(delta(t)) == r"\delta\left(t\right)"
    assert latex(delta(n - 2)) == r"\delta\left[n - 2\right]"
    assert latex(rect(t / T)) == r"\operatorname{rect}\left(\frac{t}{T}\right)"
    assert latex(3 * rect(t - 1)) == r"3 \operatorname{rect}\left(t - 1\right)"
    assert latex(tri(t)) == r"\operatorname{tri}\left(t\right)"
    assert latex(ramp(t - 2)) == r"\operatorname{ramp}\left(t - 2\right)"
    assert latex(ramp(n)) == r"\operatorname{ramp}\left[n\right]"
    assert "theta" not in latex(sp.exp(-t) * u(t) + u(n) * n ** 2)


def test_signal_notation_is_not_forced_on_other_expressions():
    import sympy as sp
    from symconv.latex import latex

    t = sp.Symbol("t", real=True)
    # t e^{-t} u(t) is not a ramp times something free of t
    assert latex(t * sp.exp(-t) * sp.Heaviside(t)) == r"t e^{- t} u\left(t\right)"
    # a step with another value at 0 keeps SymPy's explicit notation
    assert latex(sp.Heaviside(t, 0)) == r"\theta\left(t, 0\right)"
    assert latex(sp.KroneckerDelta(sp.Symbol("i"), sp.Symbol("j"))) == r"\delta_{i j}"
    assert latex(sp.Heaviside(t) ** 2) == r"\left(u\left(t\right)\right)^{2}"


def test_derivations_and_documents_use_the_same_printer():
    import sympy as sp
    from symconv.latex import document, expr_latex
    from symconv.signals import u

    n = sp.Symbol("n", integer=True)
    assert r"u\left[n\right]" in document([u(n)])
    assert expr_latex(u(n)) == r"u\left[n\right]"


def test_module_namespace_shows_only_the_api():
    import symconv.latex as sl

    public = {name for name in dir(sl) if not name.startswith("_")}
    assert public - {"SymconvLatexPrinter"} == set(sl.__all__) - {"SymconvLatexPrinter"}
    for name in ("os", "re", "shutil", "subprocess", "tempfile", "Path"):
        assert name not in public
    from sympy.printing.latex import LatexPrinter
    assert issubclass(sl.SymconvLatexPrinter, LatexPrinter)


# --------------------------------------------------------------------------- prose, quotes

def test_quotes_are_typographic():
    assert escape_text('"Proven" means') == "``Proven'' means"
    assert escape_text("with 'symconv grade'.") == "with `symconv grade'."
    # a quote after a letter is a closing quote, an apostrophe or a prime
    assert escape_text("f'' and PyTorch's padding='same'") == "f'' and PyTorch's padding='same'"


@pytest.mark.parametrize("text, expected", [
    ("X ⋆ K^T is", r"\ensuremath{X \star  K^{T}} is"),
    ("exp(-t^2/(2 σ^2))/sqrt(2π)", r"\ensuremath{\exp (-t^{2}/(2 \sigma ^{2}))/\sqrt{2\pi }}"),
    ("p_total = k - 1.", r"\ensuremath{p_{\mathrm{total}} = k - 1}."),
    ("(see x_k)", r"(see \ensuremath{x_{k}})"),
    ("floor((n + 2p - k)/s) + 1", r"\ensuremath{\lfloor (n + 2p - k)/s \rfloor + 1}"),
    # code stays text
    ("symconv.numeric.conv_layer and output_padding", "symconv.numeric.conv\\_layer and output\\_padding"),
    ("a plain sentence (with brackets).", "a plain sentence (with brackets)."),
])
def test_prose_typesets_ascii_formulas(text, expected):
    assert prose(text) == expected


@pytest.mark.parametrize("text", HOSTILE + ["x^{\\input{a}}", "x_(\\def)", "sqrt(\\write18)^2",
                                            "e^(a$b) x_k%", "a^(b}) c_{d}"])
def test_prose_lets_no_control_sequence_of_the_input_through(text):
    out = prose(text)
    allowed = {"textbackslash", "textasciicircum", "textasciitilde", "ensuremath", "{", "}", "$",
               "&", "#", "%", "_", "mathrm", "sqrt", "cdot", "lfloor", "rfloor", "dots"}
    for cs in re.findall(r"\\([A-Za-z]+|.)", out):
        assert cs in allowed, (text, out, cs)
    assert "^^" not in out and "\\input" not in out.replace("\\textbackslash{}input", "")


def test_overfull_boxes_reads_the_log():
    log = ("Overfull \\hbox (69.27895pt too wide) detected at line 1532\n[]$[]$\n"
           "Underfull \\hbox (badness 10000) in paragraph at lines 8--8\n"
           "Overfull \\hbox (3.1pt too wide) in paragraph at lines 10--12\n")
    assert overfull_boxes(log) == [(69.27895, "detected at line 1532"),
                                   (3.1, "in paragraph at lines 10--12")]
    assert overfull_boxes(log, limit=10) == [(69.27895, "detected at line 1532")]
    assert overfull_boxes("no boxes here") == []


@needs_tex
def test_compile_pdf_fills_a_table_of_contents_and_keeps_the_log(tmp_path):
    tex = ("\\documentclass{article}\\usepackage{hyperref}\\begin{document}\\tableofcontents\n"
           "\\section{First}x\\newpage\\section{Second}\\noindent\\rule{30cm}{1pt}\\end{document}\n")
    compile_pdf(tex, tmp_path / "toc.pdf", log_path=tmp_path / "toc.log")
    log = (tmp_path / "toc.log").read_text(encoding="latin-1")
    # the last run read the table of contents written by the run before it
    assert "No file doc.toc" not in log
    # a 30 cm rule on a 345 pt line: one box about 509 pt too wide
    assert [round(w) for w, _ in overfull_boxes(log)] == [round(30 / 2.54 * 72.27 - 345)]
