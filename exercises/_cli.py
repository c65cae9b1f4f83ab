"""Shared pieces of ``symconv exercises`` and ``symconv solve``: the progress report, the
verification summary, and writing the solutions book (into a directory it owns)."""

import hashlib
import json
import os
import re
import shutil
import sys
import threading
import time
import textwrap

from symconv.errors import SymconvError

__all__ = ["ProgressBar", "summary_lines", "write_book", "draw_figures", "FigureDrawer",
           "listing", "check_out_dir", "BOOK_FILES", "FIGURES_DIR", "MANIFEST"]


class ProgressBar:
    """Progress of a long job on ``stream`` (standard error by default); never silent.

    On a terminal: a one-line bar redrawn in place. Elsewhere (a pipe, a log file, CI):
    plain lines, one when a topic starts, one every ``interval`` seconds while a single
    exercise keeps running, and one at the end. Call it as
    ``bar(index, total, exercise)`` before each exercise and ``bar(total, total, None)``
    at the end (the ``progress`` callback of :func:`symconv.exercises.solve_all`);
    :meth:`close` stops the timer of an interrupted job.

    >>> import io
    >>> from types import SimpleNamespace as E
    >>> log = io.StringIO()
    >>> bar = ProgressBar(log, label="demo")
    >>> for i, e in enumerate([E(id="a1", topic="a"), E(id="a2", topic="a"), E(id="b1", topic="b")]):
    ...     bar(i, 3, e)
    >>> bar(3, 3, None)
    >>> print(log.getvalue(), end="")
    demo: 0/3 exercises done (... s); topic a, starting with a1
    demo: 2/3 exercises done (... s); topic b, starting with b1
    demo: 3/3 exercises done in ... s
    """

    def __init__(self, stream=None, width=30, *, interval=5.0, label="symconv"):
        self.stream = sys.stderr if stream is None else stream
        self.width = width
        self.interval = interval
        self.label = label
        self.enabled = bool(getattr(self.stream, "isatty", lambda: False)())
        self.t0 = time.perf_counter()
        self._topic = None
        self._current = None            # (index, total, exercise, started) of the running one
        self._last = self.t0            # time of the last line written
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._timer = None

    def __call__(self, index, total, exercise):
        if self.enabled:
            self._draw(index, total, exercise)
            return
        now = time.perf_counter()
        with self._lock:
            if exercise is None:
                self._current = None
                self._line(f"{index}/{total} exercises done in {now - self.t0:.1f} s")
            else:
                self._current = (index, total, exercise, now)
                topic = getattr(exercise, "topic", None)
                if topic != self._topic:
                    self._topic = topic
                    self._line(f"{index}/{total} exercises done ({now - self.t0:.1f} s); "
                               f"topic {topic}, starting with {exercise.id}")
        if exercise is None:
            self.close()
        elif self._timer is None:
            self._timer = threading.Thread(target=self._heartbeat, daemon=True,
                                           name="symconv-progress")
            self._timer.start()

    def close(self):
        """Stop the timer thread (idempotent)."""
        self._stop.set()
        if self._timer is not None and self._timer is not threading.current_thread():
            self._timer.join()

    def _line(self, text):
        self.stream.write(f"{self.label}: {text}\n")
        self.stream.flush()
        self._last = time.perf_counter()

    def _heartbeat(self):
        while not self._stop.wait(min(1.0, self.interval / 4)):
            with self._lock:
                now = time.perf_counter()
                if self._current is None or now - self._last < self.interval:
                    continue
                index, total, exercise, started = self._current
                self._line(f"{index}/{total} exercises done ({now - self.t0:.1f} s); still "
                           f"on {exercise.id} ({now - started:.0f} s so far)")

    def _draw(self, index, total, exercise):
        filled = int(self.width * index / max(total, 1))
        bar = "#" * filled + "." * (self.width - filled)
        label = exercise.id if exercise is not None else "done"
        line = f"\r[{bar}] {index}/{total} {label}"
        self.stream.write(line.ljust(72)[:100])
        if exercise is None:
            self.stream.write(f"  {time.perf_counter() - self.t0:.1f} s\n")
        self.stream.flush()


def summary_lines(solutions, failures, seconds):
    """The verification summary printed after solving."""
    from . import summarize

    c = summarize(solutions)
    total = len(solutions) + len(failures)
    rows = [("proven", c["proven"], "exactly: derivation, SymPy identity or exact agreement"),
            ("confirmed numerically", c["confirmed numerically"],
             "numeric reference, within a stated tolerance"),
            ("confirmed on finitely many cases", c["confirmed on finitely many cases"],
             "exact on finitely many cases of a formula: not a proof"),
            ("confirmed both ways", c["confirmed both ways"],
             "numerically and on finitely many cases"),
            ("unverified", c["unverified"], ""),
            ("refuted", c["refuted"], ""),
            ("written answer only", c["written"], ""),
            ("not auto-gradable", c["not auto-gradable"], "no answer key: discursive"),
            ("gradable parts", c["gradable parts"], "answer keys")]
    if failures:
        rows.append(("FAILED to solve", len(failures), ""))
    lines = [f"{total} exercises in {seconds:.1f} s"]
    lines += [f"  {label:<32} {count:>4}" + (f"   ({note})" if note else "")
              for label, count, note in rows]
    if failures:
        for exercise, message in failures:
            lines.append(f"    {exercise.id}: {message}")
    bad = [s for s in solutions if s.status in ("unverified", "refuted")]
    for s in bad:
        lines.append(f"    {s.exercise.id}: {s.status}")
    return lines


#: the files ``symconv solve --all`` writes into its output directory
BOOK_FILES = ("solutions.tex", "keys.toml", "solutions.pdf")
#: the record of what it wrote there (name -> SHA-256), so a rerun knows its own files
MANIFEST = ".symconv-solve.json"
#: the folder of the book's figures (``figures/<name>.pdf``, one per declared figure)
FIGURES_DIR = "figures"
_FIGURE_NAME = re.compile(FIGURES_DIR + r"/[A-Za-z0-9][A-Za-z0-9-]*\.pdf")


def _is_book_file(name):
    return name in BOOK_FILES or _FIGURE_NAME.fullmatch(name) is not None


def _sha256(path):
    with open(path, "rb") as fh:
        return hashlib.sha256(fh.read()).hexdigest()


def _recorded(out_dir):
    """The names the manifest of ``out_dir`` lists (whether or not still unchanged)."""
    try:
        with open(os.path.join(out_dir, MANIFEST), encoding="utf-8") as fh:
            recorded = json.load(fh)["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return set(recorded) if isinstance(recorded, dict) else set()


def _own_files(out_dir):
    """The files of ``out_dir`` that the last ``solve`` wrote and nobody changed since."""
    try:
        with open(os.path.join(out_dir, MANIFEST), encoding="utf-8") as fh:
            recorded = json.load(fh)["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    own = set()
    for name, digest in recorded.items() if isinstance(recorded, dict) else ():
        path = os.path.join(out_dir, name)
        if isinstance(name, str) and _is_book_file(name) and os.path.isfile(path) \
                and _sha256(path) == digest:
            own.add(name)
    return own


def check_out_dir(out_dir, force=False):
    """Refuse an output directory that holds files ``solve`` did not write.

    A missing or empty directory is fine, and so is one holding only what an earlier
    ``solve`` wrote there (the files its manifest lists, unchanged since, the figures in
    ``figures/`` included). Anything else (another file, another subdirectory, a file in
    ``figures/`` that solve did not write, a book file edited since) is the user's:
    :class:`~symconv.errors.SymconvError` unless ``force``.

    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> check_out_dir(d / "new")
    >>> _ = (d / "notes.txt").write_text("mine")
    >>> check_out_dir(d)
    Traceback (most recent call last):
    ...
    symconv.errors.SymconvError: --out ... must be a new or empty directory or one that symconv solve wrote, but it holds notes.txt (not written by symconv solve); pass --force to write ... there anyway
    >>> check_out_dir(d, force=True)
    """
    out_dir = os.fspath(out_dir)
    if os.path.exists(out_dir) and not os.path.isdir(out_dir):
        raise SymconvError(f"--out must be a directory, but {out_dir!r} is a file")
    if force or not os.path.isdir(out_dir):
        return
    own = _own_files(out_dir) | {MANIFEST}
    names = []
    for name in os.listdir(out_dir):
        path = os.path.join(out_dir, name)
        if name == FIGURES_DIR and os.path.isdir(path) and not os.path.islink(path):
            names += [f"{FIGURES_DIR}/{inner}" for inner in os.listdir(path)]
        else:
            names.append(name)
    foreign = sorted(name for name in names if name not in own)
    if foreign:
        recorded = _recorded(out_dir)
        changed = [n for n in foreign if n in BOOK_FILES or n in recorded]
        shown = ", ".join(n + (" (changed since symconv solve wrote it)" if n in changed
                               else "") for n in foreign[:3])
        more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
        raise SymconvError(
            f"--out {out_dir!r} must be a new or empty directory or one that symconv solve "
            f"wrote, but it holds {shown}{more} (not written by symconv solve); pass "
            f"--force to write {', '.join(BOOK_FILES)} and {FIGURES_DIR}/ there anyway")


#: (figures, out_dir) while :func:`draw_figures` runs: forked workers read it from here
_PENDING = None


def _draw_one(index):
    """Draw figure ``index`` of :data:`_PENDING`; ``(name, relative path or None, error)``."""
    from symconv.plot import save_figure

    figures, out_dir = _PENDING
    figure = figures[index]
    try:
        fig = figure.make()
        save_figure(fig, os.path.join(out_dir, FIGURES_DIR, figure.name + ".pdf"))
    except Exception as exc:  # one broken figure must not sink the book: reported
        return figure.name, None, f"{type(exc).__name__}: {exc}"
    return figure.name, f"{FIGURES_DIR}/{figure.name}.pdf", None


def _workers(count):
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:
        cores = os.cpu_count() or 1
    return max(1, min(cores, 4, count))


def draw_figures(solutions, out_dir, jobs=None):
    """Draw every figure the solutions declare into ``out_dir/figures/<name>.pdf``.

    Figures are independent, so with more than one core they are drawn by ``jobs``
    forked worker processes (default: the usable cores, at most 4); each worker
    inherits the solved exercises and matplotlib already imported, so nothing is
    recomputed or re-imported. Returns ``({name: 'figures/<name>.pdf'}, [(name,
    message), ...])``: the figures written, in order, and those that could not be drawn
    with the reason (reported, never hidden).
    """
    global _PENDING
    import multiprocessing

    import symconv.plot  # noqa: F401  (imported once, before the workers fork)

    figures = [f for sol in solutions for f in sol.figures]
    if not figures:
        return {}, []
    os.makedirs(os.path.join(out_dir, FIGURES_DIR), exist_ok=True)
    jobs = _workers(len(figures)) if jobs is None else max(1, int(jobs))
    _PENDING = (figures, out_dir)
    try:
        if jobs > 1 and "fork" in multiprocessing.get_all_start_methods():
            from concurrent.futures import ProcessPoolExecutor

            with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) \
                    as pool:
                results = list(pool.map(_draw_one, range(len(figures))))
        else:
            results = [_draw_one(i) for i in range(len(figures))]
    finally:
        _PENDING = None
    drawn = {name: rel for name, rel, _ in results if rel is not None}
    failed = [(name, error) for name, _, error in results if error is not None]
    return drawn, failed


class FigureDrawer:
    """Draws the figures of solved exercises while the next exercises are being solved.

    ``add(solution)`` queues a solution's figures; when no drawing process is running,
    the queue is handed to a new forked process (it inherits the solved exercises and
    matplotlib, so nothing is pickled, recomputed or re-imported) and the solving goes
    on in this process: on two cores the drawing costs almost no wall time.
    :meth:`finish` waits for those processes and draws what is still queued with
    :func:`draw_figures`. Without ``fork`` or with one core it only queues, and
    :meth:`finish` draws everything.
    """

    def __init__(self, out_dir):
        self.out_dir = out_dir
        self.queued = []
        self.children = []            # (pid, read end of its pipe, its figures)
        self.results = {}             # figure name -> (relative path or None, error)
        self.order = []
        self.background = hasattr(os, "fork") and _workers(2) > 1

    def add(self, solution):
        self.order += [f.name for f in solution.figures]
        self.queued += list(solution.figures)
        self._collect(block=False)
        if self.background and self.queued and not self.children:
            self._spawn()

    def _spawn(self):
        global _PENDING
        import symconv.plot  # noqa: F401  (imported once, before forking)

        figures, self.queued = self.queued, []
        os.makedirs(os.path.join(self.out_dir, FIGURES_DIR), exist_ok=True)
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:                  # the drawing process: draw, report, leave at once
            status = 1
            try:
                os.close(read)
                _PENDING = (figures, self.out_dir)
                data = json.dumps([_draw_one(i) for i in range(len(figures))]).encode()
                with os.fdopen(write, "wb") as fh:
                    fh.write(data)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self.children.append((pid, read, figures))

    def _collect(self, block):
        running = []
        for pid, read, figures in self.children:
            done, status = os.waitpid(pid, 0 if block else os.WNOHANG)
            if not done:
                running.append((pid, read, figures))
                continue
            with os.fdopen(read, "rb") as fh:
                data = fh.read()
            try:
                for name, rel, error in json.loads(data.decode()):
                    self.results[name] = (rel, error)
            except ValueError:
                for figure in figures:
                    self.results[figure.name] = (None, "the drawing process stopped "
                                                       f"(wait status {status})")
        self.children = running

    def finish(self):
        """Wait for the drawing processes, draw what is left; as :func:`draw_figures`."""
        self._collect(block=True)
        if self.queued:
            holder = _Holder(self.queued)
            self.queued = []
            drawn, failed = draw_figures([holder], self.out_dir)
            self.results.update({name: (rel, None) for name, rel in drawn.items()})
            self.results.update({name: (None, error) for name, error in failed})
        drawn = {n: self.results[n][0] for n in self.order if self.results[n][0] is not None}
        failed = [(n, self.results[n][1]) for n in self.order if self.results[n][1] is not None]
        return drawn, failed


class _Holder:
    def __init__(self, figures):
        self.figures = figures


def write_book(solutions, out_dir, pdf=True, drawer=None):
    """Write ``solutions.tex``, ``keys.toml`` and the figures (``figures/*.pdf``), and
    ``solutions.pdf`` when pdflatex exists.

    ``drawer``: a :class:`FigureDrawer` that has been drawing the figures while the
    exercises were solved (otherwise they are drawn here).

    Records what it wrote in ``MANIFEST`` (see :func:`check_out_dir`); a PDF left by an
    earlier run is removed when no new one is made, so the PDF never shows an older book,
    and so are figures of an earlier run that this run did not draw. Returns
    ``(written paths, note, figure failures)``; the note says why no PDF was made, if
    none was; the failures are ``(figure name, reason)`` pairs.
    """
    from symconv.latex import compile_pdf

    from . import export_keys, solutions_document

    os.makedirs(out_dir, exist_ok=True)
    before = _own_files(out_dir)
    stale_pdf = "solutions.pdf" in before
    if drawer is not None:
        figures, failed = drawer.finish()
    else:
        figures, failed = draw_figures(solutions, out_dir)
    figure_paths = [os.path.join(out_dir, *rel.split("/")) for rel in figures.values()]
    tex = solutions_document(solutions, figures=figures)
    tex_path = os.path.join(out_dir, "solutions.tex")
    with open(tex_path, "w", encoding="utf-8") as fh:
        fh.write(tex)
    keys_path = os.path.join(out_dir, "keys.toml")
    export_keys(solutions, keys_path)
    written = [tex_path, keys_path]
    note = None
    if not pdf:
        note = "PDF not requested (--no-pdf)"
    elif shutil.which("pdflatex") is None:
        note = "pdflatex was not found on PATH: no PDF (solutions.tex is complete)"
    else:
        pdf_path = os.path.join(out_dir, "solutions.pdf")
        compile_pdf(tex, pdf_path, files={rel: os.path.join(out_dir, *rel.split("/"))
                                          for rel in figures.values()})
        written.append(pdf_path)
        stale_pdf = False
    if stale_pdf:
        os.unlink(os.path.join(out_dir, "solutions.pdf"))
        note += "; removed the solutions.pdf of an earlier run"
    for name in sorted(before):
        if name.startswith(FIGURES_DIR + "/") and name not in figures.values():
            os.unlink(os.path.join(out_dir, *name.split("/")))
    folder = os.path.join(out_dir, FIGURES_DIR)
    if os.path.isdir(folder) and not os.listdir(folder):
        os.rmdir(folder)
    files = {os.path.basename(p): _sha256(p) for p in written}
    files.update({rel: _sha256(path) for rel, path in zip(figures.values(), figure_paths)})
    manifest = {"written_by": "symconv solve --all", "files": files}
    with open(os.path.join(out_dir, MANIFEST), "w", encoding="utf-8") as fh:
        json.dump(manifest, fh, indent=1)
        fh.write("\n")
    return written + figure_paths, note, failed


def listing(exercises, topics):
    """Exercise ids and titles grouped by topic."""
    lines = []
    width = max(len(e.id) for e in exercises) if exercises else 0
    for topic, description in topics.items():
        group = [e for e in exercises if e.topic == topic]
        if not group:
            continue
        lines.append(f"{topic}: {description}")
        for e in group:
            lines.append(f"  {e.id.ljust(width)}  {e.title}")
        lines.append("")
    lines.append(f"{len(exercises)} exercises")
    return lines


def describe(exercise):
    """The prompt of one exercise, for ``symconv exercises show``."""
    wrapped = "\n\n".join(textwrap.fill(p, 88) for p in exercise.prompt.split("\n\n"))
    return "\n".join([f"{exercise.id}: {exercise.title}",
                      f"topic {exercise.topic} | source: {exercise.source}", "", wrapped, "",
                      f"(solution: symconv solve {exercise.id})"])
