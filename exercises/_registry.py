"""The exercise format: :class:`Exercise`, :class:`Solution`, :class:`Part`, :class:`Check`.

An exercise is a function decorated with :func:`exercise`. The decorator records the
id, topic, title and prompt; the function receives a :class:`SolutionBuilder` and
fills it in by calling the library::

    @exercise("images-corr2d", topic="images", title="...", prompt="...")
    def _(s):
        Y = corr2d(X, K)                                   # the library computes
        s.part(answer=Y, key=key("matrix", Y),             # the answer and its key
               checks=[exact_check(Y, brute_force(X, K), "loops over the windows")])

:meth:`Exercise.solve` runs the function once per process (the result is cached) and
returns an immutable :class:`Solution`. Everything about the format is documented in
``exercises/README.md``.
"""

import importlib
import time
from dataclasses import dataclass, field

from symconv.errors import SymconvError
from symconv.verdict import ORDER, weakest
from symconv._util.explaining import short as _short
from symconv._util.explaining import wrap as _wrap

__all__ = ["Exercise", "Solution", "Part", "Check", "Figure", "SolutionBuilder", "exercise",
           "TOPICS", "PLOT_FUNCTIONS",
           "STATUS_ORDER", "CONFIRMED_BASES", "confirmed_words", "all_exercises", "get",
           "topics"]

#: topic id -> (module under symconv.exercises, one-line description); the order of this
#: table is the order of the catalogue
TOPICS = {
    "cnn-basics": ("cnn_basics", "From dense layers to convolutions: locality, translation "
                                 "invariance, commutativity"),
    "images": ("images", "Convolutions for images: cross-correlation, edges, hand-made kernels"),
    "padding-stride": ("padding_stride", "Padding, stride and output shapes"),
    "channels": ("channels", "Multiple input and output channels, 1x1 convolutions, cost of a "
                             "layer"),
    "pooling": ("pooling", "Max and average pooling"),
    "backprop": ("backprop", "The backward pass, transposed convolution and the matrix form"),
    "learning": ("learning", "Learning a kernel by gradient descent: step-size bound, identifiability"),
    "architectures": ("architectures", "Shape walks through LeNet-5, AlexNet, VGG and ResNet"),
    "signals": ("signals", "Signals: convolution pairs, LTI systems, the convolution theorem"),
}

#: verification statuses from weakest to strongest ('written': a discursive answer with
#: nothing to check)
STATUS_ORDER = tuple(s.value for s in ORDER)   # symconv.verdict: one vocabulary
STATUSES = STATUS_ORDER + ("written",)
_STATUS_WORDS = {"proven": "proven", "confirmed": "confirmed numerically",
                 "unverified": "UNVERIFIED", "refuted": "REFUTED", "written": "written answer"}

#: the two ways a 'confirmed' check confirms, in display order: agreement with an
#: independent numeric computation, or exact agreement on finitely many cases (a grid of
#: cases, or one instance) of a general formula
CONFIRMED_BASES = ("numerically", "on finitely many cases")
_FINITE_METHODS = ("grid", "instance")


def confirmed_words(bases):
    """The label of a confirmed status: ``'confirmed numerically'``, ``'confirmed on
    finitely many cases'``, or both joined by 'and' (``bases`` from ``confirmed_by``)."""
    return "confirmed " + " and ".join(bases) if bases else "confirmed"


def _bases(checks):
    found = {c.basis for c in checks if c.status == "confirmed"}
    return tuple(b for b in CONFIRMED_BASES if b in found)


@dataclass(frozen=True)
class Check:
    """One verification of an answer.

    Attributes
    ----------
    status : {'proven', 'confirmed', 'unverified', 'refuted'}
        'proven': established exactly (a checked derivation, SymPy deciding an identity,
        exact agreement with an independent computation of the same finite object);
        'confirmed': agreement with an independent numeric computation (within
        ``tolerance``, on instances drawn with ``seed``) or exact agreement on finitely
        many instances of a general formula; 'unverified': nothing could decide;
        'refuted': a check failed.
    method : str
        Short name of what was compared with what ('derivation', 'crosscheck',
        'exact', 'sympy', 'kernel', 'grid', 'numeric', 'counterexample').
    detail : str
        One or a few sentences a reader can follow: the independent computation used,
        the tolerance and the seed when numbers were involved.
    tolerance, seed : optional
        For numeric checks.
    report : object, optional
        The library's report (a ProofReport, CrosscheckReport, KernelReport, ...).
    """

    status: str
    method: str
    detail: str
    tolerance: object = None
    seed: object = None
    report: object = field(default=None, compare=False, repr=False)

    def __post_init__(self):
        if self.status not in STATUS_ORDER:
            raise SymconvError(f"a check's status must be one of {', '.join(STATUS_ORDER)}, "
                               f"but got {self.status!r}")

    @property
    def basis(self):
        """How a 'confirmed' check confirms: 'numerically' or 'on finitely many cases'."""
        return CONFIRMED_BASES[1] if self.method in _FINITE_METHODS else CONFIRMED_BASES[0]

    def __str__(self):
        extra = []
        if self.tolerance is not None:
            extra.append(f"tolerance {self.tolerance:.3g}")
        if self.seed is not None:
            extra.append(f"seed {self.seed}")
        tail = f" ({', '.join(extra)})" if extra else ""
        word = _STATUS_WORDS[self.status]
        if self.status == "confirmed" and self.basis == CONFIRMED_BASES[1]:
            word = "confirmed exactly on finitely many cases"
        return f"[{word}] {self.method}: {self.detail}{tail}"

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _exercise_check(self, check)


def combine(statuses):
    """The weakest of the given statuses ('written' when there is none)."""
    statuses = [s for s in statuses if s != "written"]
    if not statuses:
        return "written"
    return weakest(statuses).value


@dataclass(frozen=True)
class Part:
    """One answer of an exercise (an exercise has one or several parts).

    ``answer`` is the library's result (SymPy object, list, Matrix, int) or, for a
    discursive part, the written model answer (a ``str``, with ``written=True``).
    ``text`` is the answer in the answer syntax of :func:`symconv.parsing.parse_math`
    (what a student would type; for a 'proof' key, the proof lines). ``key`` is a
    mapping in the grading key format (see :func:`exercises._keys.key`), or None for a
    part that is not auto-gradable.
    """

    label: object
    prompt: object
    answer: object
    text: object
    key: object
    checks: tuple
    written: bool = False
    note: object = None
    exercise_id: str = ""

    @property
    def id(self):
        """The part id used in key files: the exercise id, plus ``.label`` for a labelled part."""
        return self.exercise_id if self.label is None else f"{self.exercise_id}.{self.label}"

    @property
    def gradable(self):
        return self.key is not None

    @property
    def status(self):
        if not self.checks:
            return "written" if self.written else "unverified"
        if any(c.status == "refuted" for c in self.checks):
            return "refuted"
        return max((c.status for c in self.checks), key=STATUS_ORDER.index)

    @property
    def confirmed_by(self):
        """For a 'confirmed' part, how its confirming checks confirm (a tuple of
        :data:`CONFIRMED_BASES`); ``()`` for any other status."""
        return _bases(self.checks) if self.status == "confirmed" else ()

    @property
    def status_text(self):
        """The status in words, saying how a confirmed part was confirmed."""
        return confirmed_words(self.confirmed_by) if self.status == "confirmed" else self.status

    def answer_key(self):
        """The key as a :class:`symconv.grading.AnswerKey` (SymPy answers, as computed)."""
        if self.key is None:
            raise SymconvError(f"part {self.id} has no answer key (it is not auto-gradable)")
        from symconv.grading import as_key

        from ._keys import _grading_mapping

        return as_key(_grading_mapping(self.key), part=self.id)

    def exported_key(self):
        """The key with every answer written as text (what ``keys.toml`` holds)."""
        from ._keys import export_key

        return export_key(self, get(self.exercise_id) if self.exercise_id else None)

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _part(self, check)


#: the figure functions of :mod:`symconv.plot` an exercise may name in ``s.figure(...)``
PLOT_FUNCTIONS = ("plot_signals", "plot_flip_and_slide", "plot_layer", "plot_matrix",
                  "plot_kernel", "plot_architecture", "plot_loss_curve")


@dataclass(frozen=True)
class Figure:
    """A figure an exercise declares (``s.figure(...)``); drawn only when the solutions
    book is written, never while solving.

    ``draw`` names a function of :mod:`symconv.plot` (one of :data:`PLOT_FUNCTIONS`) or
    is a callable; :meth:`make` calls it with ``args`` and ``kwargs`` and returns the
    :class:`matplotlib.figure.Figure`. ``name`` is the file stem in the book's
    ``figures/`` folder: the exercise id with every character other than letters, digits
    and '-' replaced by '-', then the figure's number in the exercise.
    """

    name: str
    caption: str
    draw: object = field(repr=False)
    args: tuple = field(default=(), repr=False, compare=False)
    kwargs: tuple = field(default=(), repr=False, compare=False)

    def make(self):
        """Draw the figure (imports :mod:`symconv.plot`, hence matplotlib)."""
        if isinstance(self.draw, str):
            import symconv.plot as plot

            function = getattr(plot, self.draw)
        else:
            function = self.draw
        fig = function(*self.args, **dict(self.kwargs))
        if not hasattr(fig, "savefig"):
            raise SymconvError(f"figure {self.name} must be drawn as a matplotlib Figure, but "
                               f"its function returned {type(fig).__name__}")
        return fig


@dataclass(frozen=True)
class Solution:
    """The solved exercise: its parts, the explanation blocks, and timing."""

    exercise: "Exercise"
    parts: tuple
    blocks: tuple
    seconds: float = 0.0

    @property
    def status(self):
        """Weakest status over the parts (parts with only a written answer are ignored)."""
        return combine(p.status for p in self.parts)

    @property
    def confirmed_by(self):
        """For a 'confirmed' solution, how its confirmed parts were confirmed (a tuple of
        :data:`CONFIRMED_BASES`); ``()`` for any other status."""
        if self.status != "confirmed":
            return ()
        found = {b for p in self.parts for b in p.confirmed_by}
        return tuple(b for b in CONFIRMED_BASES if b in found)

    @property
    def status_text(self):
        """The status in words, saying how a confirmed solution was confirmed."""
        return confirmed_words(self.confirmed_by) if self.status == "confirmed" else self.status

    @property
    def gradable(self):
        """True when at least one part has an answer key."""
        return any(p.gradable for p in self.parts)

    @property
    def figures(self):
        """The figures the exercise declared (:class:`Figure`), in order; not yet drawn."""
        return tuple(item for kind, item in self.blocks if kind == "figure")

    def part(self, label=None):
        for p in self.parts:
            if p.label == label:
                return p
        raise SymconvError(f"exercise {self.exercise.id} has no part {label!r}")

    def keys(self):
        """``{part id: key mapping}`` for the gradable parts (SymPy answers)."""
        return {p.id: p.key for p in self.parts if p.key is not None}

    def latex(self):
        from ._render import solution_latex

        return solution_latex(self)

    def __str__(self):
        from ._render import solution_text

        return solution_text(self)

    def __repr__(self):
        return (f"<Solution {self.exercise.id}: {len(self.parts)} part(s), {self.status}, "
                f"{self.seconds:.2f} s>")

    def _repr_latex_(self):
        from ._render import solution_math

        return solution_math(self)

    def _repr_html_(self):
        from ._render import solution_html

        return solution_html(self)

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _solution(self, check)


class SolutionBuilder:
    """What an exercise function fills in: parts, explanations, displayed objects."""

    def __init__(self, exercise):
        self._exercise = exercise
        self._blocks = []
        self._parts = []

    def say(self, text):
        """A paragraph of explanation (plain text, escaped in LaTeX)."""
        if not isinstance(text, str):
            raise SymconvError(f"say() needs a str, but got {type(text).__name__}")
        self._blocks.append(("text", text))

    def show(self, obj, caption=None):
        """Display a library object: anything with ``.latex()`` (Derivation, report, table)
        or a SymPy object (shown as a displayed equation)."""
        self._blocks.append(("show", (obj, caption)))

    def figure(self, caption, draw, *args, **kwargs):
        """Declare a figure: ``symconv.plot.<draw>(*args, **kwargs)`` (``draw`` one of
        :data:`PLOT_FUNCTIONS`, or a callable returning a matplotlib Figure), shown with
        ``caption`` where it is declared. Nothing is drawn now: the solutions book draws
        it (``symconv solve --all``), so solving stays free of matplotlib. Pass results
        the exercise already computed (``result=``) so that drawing recomputes nothing."""
        if not isinstance(caption, str) or not caption.strip():
            raise SymconvError(f"a figure needs a caption (a non-empty str), but got {caption!r}")
        if isinstance(draw, str):
            if draw not in PLOT_FUNCTIONS:
                raise SymconvError(f"a figure's function must be one of "
                                   f"{', '.join(PLOT_FUNCTIONS)} or a callable, but got {draw!r}")
        elif not callable(draw):
            raise SymconvError(f"a figure's function must be a name or a callable, but got "
                               f"{type(draw).__name__}")
        stem = "".join(c if c.isascii() and (c.isalnum() or c == "-") else "-"
                       for c in self._exercise.id)
        number = sum(1 for kind, _ in self._blocks if kind == "figure") + 1
        item = Figure(f"{stem}-{number}", caption, draw, args, tuple(kwargs.items()))
        self._blocks.append(("figure", item))
        return item

    def part(self, label=None, *, answer, prompt=None, text=None, key=None, checks=(),
             written=False, note=None):
        """Add a part. ``checks`` must hold at least one :class:`Check` unless ``written``."""
        checks = tuple(checks)
        for c in checks:
            if not isinstance(c, Check):
                raise SymconvError(f"checks must be Check objects, but got {c!r}")
        if written and not isinstance(answer, str):
            raise SymconvError("a written part's answer must be the model answer text")
        if key is not None and text is None:
            from ._keys import as_text

            text = as_text(answer)
        p = Part(label, prompt, answer, text, key, checks, written, note, self._exercise.id)
        if any(q.label == label for q in self._parts):
            raise SymconvError(f"exercise {self._exercise.id}: part {label!r} defined twice")
        self._parts.append(p)
        self._blocks.append(("part", p))
        return p

    def finish(self, seconds):
        if not self._parts:
            raise SymconvError(f"exercise {self._exercise.id} defined no part")
        return Solution(self._exercise, tuple(self._parts), tuple(self._blocks), seconds)


_SOLUTIONS = {}


@dataclass(frozen=True)
class Exercise:
    """A catalogue entry: id, topic, title, prompt (own words), source, and its solver."""

    id: str
    topic: str
    title: str
    prompt: str
    source: str
    solver: object = field(compare=False, repr=False)

    def solve(self, fresh=False):
        """Solve by calling the library (cached per process unless ``fresh``)."""
        if not fresh and self.id in _SOLUTIONS:
            return _SOLUTIONS[self.id]
        builder = SolutionBuilder(self)
        t0 = time.perf_counter()
        self.solver(builder)
        solution = builder.finish(time.perf_counter() - t0)
        _SOLUTIONS[self.id] = solution
        return solution

    def __str__(self):
        return f"{self.id} [{self.topic}] {self.title}"

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _exercise(self, check)


_REGISTRY = {}
_LOADED = False


def exercise(id, *, topic, title, prompt, source):
    """Decorator registering an exercise function under ``id``."""
    if topic not in TOPICS:
        raise SymconvError(f"topic must be one of {', '.join(TOPICS)}, but got {topic!r}")

    def register(fn):
        if id in _REGISTRY:
            raise SymconvError(f"exercise id {id!r} is registered twice")
        _REGISTRY[id] = Exercise(id, topic, title, _dedent(prompt), source, fn)
        return fn

    return register


def _dedent(text):
    import textwrap

    return " ".join(textwrap.dedent(text).split()) if "\n\n" not in text else \
        "\n\n".join(" ".join(p.split()) for p in textwrap.dedent(text).strip().split("\n\n"))


def _load():
    global _LOADED
    if not _LOADED:
        for module, _description in TOPICS.values():
            importlib.import_module(f"{__package__}.{module}")
        _LOADED = True


def all_exercises(topic=None):
    """Every exercise in catalogue order (optionally only one topic)."""
    _load()
    if topic is not None and topic not in TOPICS:
        raise SymconvError(f"topic must be one of {', '.join(TOPICS)}, but got {topic!r}")
    order = list(TOPICS)
    items = sorted(_REGISTRY.values(), key=lambda e: order.index(e.topic))
    return [e for e in items if topic is None or e.topic == topic]


def get(exercise_id):
    """The exercise with this id (case-insensitive)."""
    _load()
    if exercise_id in _REGISTRY:
        return _REGISTRY[exercise_id]
    for key, value in _REGISTRY.items():
        if key.lower() == str(exercise_id).lower():
            return value
    close = [k for k in _REGISTRY if str(exercise_id).lower() in k.lower()]
    hint = f" (did you mean {', '.join(close[:5])}?)" if close else \
        " (see 'symconv exercises list')"
    raise SymconvError(f"exercise id must be one in the catalogue, but got {exercise_id!r}{hint}")


def topics():
    """``{topic id: description}`` in catalogue order."""
    return {k: v[1] for k, v in TOPICS.items()}


# ---------------------------------------------------------------------------
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

_EX_STATUS = {"proven": "proven", "unverified": "UNVERIFIED", "refuted": "REFUTED",
              "written": "written answer only"}


def _ex_status(item):
    # a confirmed part, solution or check says how: numerically or on finitely many cases
    if item.status != "confirmed":
        return _EX_STATUS[item.status]
    if hasattr(item, "status_text"):
        return item.status_text
    return "confirmed " + item.basis


def _part_lines(part, indent=""):
    label = f"part {part.label}" if part.label is not None else "answer"
    shown = _short(part.answer, 200) if not part.written else "(written model answer)"
    out = _wrap(f"{label}: {shown}", indent, indent + "    ")
    out.append(f"{indent}  verification: {_ex_status(part)}")
    for c in part.checks:
        out += _wrap(str(c), indent + "    - ", indent + "      ")
    out.append(f"{indent}  " + ("gradable: answer key with "
                                f"{len(part.key.get('mistakes', ()) or ())} anticipated "
                                "mistake(s)" if part.key is not None else
                                "not auto-gradable (no answer key)"))
    return out


def _solution(solution, check):
    ex = solution.exercise
    out = [f"exercise {ex.id}: {ex.title}",
           f"status: {_ex_status(solution)} (the weakest status of its parts)"]
    out += _wrap("obtained: the exercise's solver called the library to compute every "
                 "answer (no pasted constants) and attached the checks below.")
    for part in solution.parts:
        out += _part_lines(part, "  ")
    out += _wrap("meaning: 'proven' = established exactly (a checked derivation, an identity "
                 "SymPy decided, or exact agreement with an independent computation); "
                 "'confirmed numerically' = agreement with an independent numeric computation "
                 "within the stated tolerance and seed; 'confirmed on finitely many cases' = "
                 "exact agreement of a general formula on a finite grid of cases (or one "
                 "instance), which is evidence, not a proof for all values.")
    return out


def _part(part, check):
    return [f"exercise part {part.id}"] + _part_lines(part)


def _exercise_check(c, check):
    return [f"verification of an exercise answer: {_ex_status(c)}",
            *_wrap(str(c), "  ", "    ")]


def _exercise(ex, check):
    if check:
        return _solution(ex.solve(), check)
    return [f"exercise {ex.id}: {ex.title} (not solved here: exercise.solve() computes and "
            "verifies it)"]
