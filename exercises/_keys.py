"""Answer keys of the exercises, in the grading key format, and their TOML export.

A key is a plain mapping with the fields of :class:`symconv.grading.AnswerKey`
(``type``, ``answer``, ``points``, ``variables``, ``mistakes``, ...). Inside the
catalogue, answers and anticipated mistakes are the SymPy objects the library
computed; :func:`export_key` writes them as answer text (read back by the safe parser
exactly as a student's answer is), and :func:`keys_toml` writes a whole key file
(format version 1) for ``symconv grade``.
"""

import json
import math
import numbers

import sympy as sp
from sympy.printing.str import StrPrinter

from symconv.errors import SymconvError

__all__ = ["key", "mistake", "as_text", "export_key", "part_prompt", "keys_toml",
           "export_keys"]


def mistake(answer, feedback, credit=0.0, *, text=None, agrees=None):
    """An anticipated wrong answer: the value (computed by the library where possible,
    from the wrong reasoning the feedback names), the feedback a student sees, and the
    fraction of the points it earns.

    ``text`` overrides how the value is written in the exported key (needed only for
    values whose printed form the answer parser does not read, e.g. a ``Piecewise``).
    ``agrees`` says where the wrong formula still takes the answer's value ("t <= 0",
    "d even"): the feedback must be true there too, and the tests check that every
    mistake that agrees with the answer somewhere on the key's domain says where
    (``exercises._audit``). Neither is part of the exported key.
    """
    entry = {"answer": answer, "feedback": feedback, "credit": float(credit)}
    if text is not None:
        entry["_text"] = text
    if agrees is not None:
        entry["_agrees"] = agrees
    return entry


#: answer types read as math: their keys refuse a restated question by default
_MATH_TYPES = ("expression", "integer", "rational", "sequence", "matrix", "set", "equation")


def key(type, answer, *, points=1, variables=None, mistakes=(), closed_form=None, **options):
    """A key mapping in the grading format (see ``docs/answer-keys.md``).

    Every answer of the catalogue is a closed form computed by the library, so a key of
    an answer read as math refuses an unevaluated integral, sum, derivative, limit or
    ``conv(...)`` call (``closed_form = true``) unless ``closed_form=False`` opts into
    evaluating such answers. ``operations``, ``forbidden`` and ``at_most`` (passed on
    with the other options) say what the answer may be built from.
    """
    out = {"type": type, "answer": answer, "points": points}
    if closed_form is None:
        closed_form = type in _MATH_TYPES
    if closed_form:
        out["closed_form"] = True
    if variables:
        out["variables"] = dict(variables)
    if mistakes:
        out["mistakes"] = list(mistakes)
    for name, value in options.items():
        if value is not None and value != ():
            out[name] = list(value) if isinstance(value, tuple) else value
    return out


def _grading_mapping(k):
    """The key without the catalogue-only fields (``_text`` of mistakes)."""
    out = dict(k)
    if "mistakes" in out:
        out["mistakes"] = [{n: v for n, v in m.items() if not n.startswith("_")}
                           for m in out["mistakes"]]
    return out


def as_text(value):
    """Write a library result in the answer syntax of :func:`symconv.parsing.parse_math`.

    Lists are ``[a, b]``, matrices ``[[a, b], [c, d]]``, tuples ``(a, b)``, SymPy
    objects their ``sstr`` form. A ``Piecewise`` has no written form in that syntax: give
    the text explicitly (the tests check that it grades as equivalent).

    >>> from sympy import Matrix, Rational, symbols
    >>> a, b = symbols('a b')
    >>> as_text([a*b, Rational(1, 2)])
    '[a*b, 1/2]'
    >>> as_text(Matrix([[1, 2], [3, 4]]))
    '[[1, 2], [3, 4]]'
    >>> from sympy import Heaviside, exp
    >>> t, n = symbols('t n')
    >>> as_text(exp(-t)*Heaviside(t)), as_text(2**n*Heaviside(n, 1))
    ('exp(-t)*u(t)', '2**n*u[n]')
    """
    if isinstance(value, str):
        return value
    if isinstance(value, sp.MatrixBase):
        return "[" + ", ".join("[" + ", ".join(as_text(v) for v in value.row(i)) + "]"
                               for i in range(value.rows)) + "]"
    if isinstance(value, sp.NDimArray):
        return as_text(value.tolist())
    if isinstance(value, list):
        return "[" + ", ".join(as_text(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(as_text(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, bool):
        raise SymconvError(f"an answer must be a number or an expression, but got {value!r}")
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, sp.Basic):
        if value.has(sp.Piecewise):
            raise SymconvError(f"a Piecewise answer needs an explicit text form, but got {value}")
        return _AnswerPrinter().doprint(value)
    raise SymconvError(f"cannot write {type(value).__name__} {value!r} as answer text")


class _AnswerPrinter(StrPrinter):
    """``sstr`` with the unit step written as a student writes it: ``u(t)``, ``u[n]``."""

    def _print_Heaviside(self, expr):
        arg = self._print(expr.args[0])
        if len(expr.args) == 1 or expr.args[1] == sp.S.Half:
            return f"u({arg})"
        if expr.args[1] == 1:
            return f"u[{arg}]"
        return self._print_Function(expr)


def part_prompt(part, exercise):
    """The exported question of a part: the exercise's prompt, then the part's label and
    its own prompt ("... (b) step response"); an unlabelled part adds its prompt alone."""
    if not part.prompt:
        return exercise.prompt
    head = f"({part.label}) " if part.label is not None else ""
    return f"{exercise.prompt} {head}{part.prompt}"


def export_key(part, exercise=None):
    """The key of ``part`` with answers and mistakes written as text; ``exercise`` (the
    :class:`Exercise` the part belongs to) supplies the self-contained prompt."""
    k = part.key
    out = {}
    for name, value in k.items():
        if name == "answer":
            if k["type"] == "proof":
                out[name] = value
            else:
                out[name] = part.text
        elif name == "mistakes":
            out[name] = [{"answer": m.get("_text") or as_text(m["answer"]),
                          "feedback": m["feedback"], "credit": m["credit"]} for m in value]
        else:
            out[name] = value
    if exercise is not None and (part.prompt or part.exercise_id):
        out.setdefault("prompt", part_prompt(part, exercise))
    return out


# ---------------------------------------------------------------------------
# a small TOML writer (the standard library reads TOML but does not write it)
# ---------------------------------------------------------------------------

def _toml_string(s):
    # JSON string escapes are a subset of TOML's basic-string escapes; DEL must be escaped
    return json.dumps(s, ensure_ascii=False).replace("\x7f", "\\u007f")


def _toml_key(name):
    if name and all(c.isalnum() or c in "-_" for c in name) and name.isascii():
        return name
    return _toml_string(name)


def _toml_value(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, numbers.Integral):
        return str(int(value))
    if isinstance(value, float):
        if not math.isfinite(value):
            raise SymconvError(f"a key value must be finite, but got {value!r}")
        return repr(value)
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_toml_key(str(k))} = {_toml_value(v)}"
                                for k, v in value.items()) + " }"
    raise SymconvError(f"cannot write {type(value).__name__} {value!r} to TOML")


def keys_toml(parts, header=None, exercises=None):
    """A key file (TOML, format version 1) for the given parts; ``exercises`` maps an
    exercise id to its :class:`Exercise` (for the prompts)."""
    lines = []
    if header:
        lines += [f"# {line}" for line in header.splitlines()]
    lines += ["format_version = 1", ""]
    for part in parts:
        k = export_key(part, (exercises or {}).get(part.exercise_id))
        table = f"parts.{_toml_key(part.id)}"
        lines.append(f"[{table}]")
        for name, value in k.items():
            if name == "mistakes":
                continue
            lines.append(f"{_toml_key(name)} = {_toml_value(value)}")
        for m in k.get("mistakes", ()):
            lines.append("")
            lines.append(f"[[{table}.mistakes]]")
            for name in ("answer", "feedback", "credit"):
                lines.append(f"{name} = {_toml_value(m[name])}")
        lines.append("")
    return "\n".join(lines)


def export_keys(solutions, path=None):
    """Write (or return) the key file of every gradable part of ``solutions``."""
    parts = [p for s in solutions for p in s.parts if p.key is not None]
    text = keys_toml(parts, header="symconv exercise catalogue: answer keys for 'symconv grade'\n"
                                   "generated by 'symconv exercises keys'; every answer was "
                                   "computed by the library",
                     exercises={s.exercise.id: s.exercise for s in solutions})
    if path is not None:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    return text
