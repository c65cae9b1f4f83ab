"""Grading many answers: isolated worker processes, resumable output, summaries, exports.

:func:`grade_batch` grades rows ``{"student", "part", "answer"}`` against a key file.
Every answer is graded in a worker process (``python -m symconv.grading.worker``)
that has an address-space limit (``resource.setrlimit(RLIMIT_AS)``) and a wall-time
limit enforced twice: inside the worker by SIGALRM (the answer gets status
'timeout') and from outside by this process, which kills a worker that does not
answer within the limit plus a grace period. A worker that crashes is restarted and
the answer retried once; a second crash is recorded in that answer's row. So a hung
or exploding answer costs that answer a zero with a reason, never the run.

Nothing is lost and nothing is stale: with ``out=PATH`` each result is appended to the
JSON-lines file as soon as it is known (one ``write`` per line), with a
``fingerprint`` of its answer and of its part's key; a rerun with the same ``out``
skips the rows already there *for the same fingerprint* and grades the others again
(the summary counts them as ``changed``); a torn last line from a killed run is
discarded, and at the end the file is rewritten in input order through a temporary
file and an atomic rename. Every input row, malformed ones and rows of a part the keys
do not have included, produces exactly one output row; the unknown parts are counted
in the summary (``unknown_parts``).

SIGINT and SIGTERM (in the main thread) raise :class:`Interrupted`: the workers are
killed at once (they run in sessions of their own, so a Ctrl-C reaches only this
process, and they die with it on Linux), the results already finished are written,
and the run can be resumed.

With ``scheduler=ADDRESS`` the same work runs on a Dask distributed cluster: rows go
out in chunks, each Dask worker keeps its own isolated grading processes (same
limits), and results stream back in completion order; the output is the same as a
local run (only the ``seconds`` fields differ).

Why one module of this size: the batch runner owns the worker processes, their limits,
resume by fingerprint and shutdown on signals; these share the process table and the row
bookkeeping, which must stay consistent when any of them fails.
"""

import base64
import csv
import html
import io
import json
import os
import pickle
import queue
import select
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field

from symconv._util.text import terminal_text
from symconv.errors import GradingError
from symconv.grading.keys import AnswerKey, as_key, load_keys
from symconv._util.explaining import wrap as _wrap

__all__ = ["grade_batch", "BatchReport", "read_answers", "write_gradescope",
           "write_gradebook", "format_summary", "IsolatedGrader", "Interrupted"]

OUTPUT_FIELDS = ("row", "student", "part", "score", "max_score", "status", "feedback",
                 "strategy", "proven", "mistake", "review", "seconds", "fingerprint")
_STATUSES = ("correct", "partial", "incorrect", "invalid", "timeout")
_BINS = ("0%", "1-25%", "26-50%", "51-75%", "76-99%", "100%")
_TIMEOUT, _EOF = object(), object()


# --------------------------------------------------------------------------- isolated worker

def _worker_env():
    env = dict(os.environ)
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    env["PYTHONPATH"] = root + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        env[var] = "1"
    return env


class IsolatedGrader:
    """One grading worker process with time and memory limits (see the module notes).

    Parameters
    ----------
    keys_blob : bytes
        ``pickle.dumps({part: AnswerKey})``.
    time_limit : float
        Seconds per answer (enforced in the worker, and from outside with ``grace``).
    memory_limit : int or None
        Address-space limit of the worker in bytes.
    grace : float, optional
        Extra seconds before the worker is killed (default ``max(1, time_limit/2)``).
    """

    def __init__(self, keys_blob, time_limit=10.0, memory_limit=2 << 30, grace=None,
                 trail=False, startup_timeout=120.0, stop=None):
        self.keys_blob = keys_blob
        self.stop = stop                 # a threading.Event: set when the batch shuts down
        self.time_limit = float(time_limit)
        self.memory_limit = memory_limit
        self.grace = max(1.0, self.time_limit / 2) if grace is None else float(grace)
        self.trail = trail
        self.startup_timeout = startup_timeout
        self.proc = None
        self._buf = b""
        self._stderr = None
        self.restarts = 0
        self._started = False

    # ---- process management
    def start(self):
        if self.stopping:
            raise _Stopped()
        if self._started:
            self.restarts += 1
        self._started = True
        self._stderr = tempfile.TemporaryFile()
        # a session of its own: a Ctrl-C at the terminal reaches this process only, which
        # stops the workers itself (they would otherwise die mid-answer and be restarted)
        self.proc = subprocess.Popen([sys.executable, "-m", "symconv.grading.worker"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=self._stderr, env=_worker_env(),
                                     start_new_session=True)
        _LIVE.add(self.proc)
        self._buf = b""
        setup = {"keys": base64.b64encode(self.keys_blob).decode("ascii"),
                 "time_limit": self.time_limit, "memory_limit": self.memory_limit,
                 "trail": self.trail, "parent": os.getpid()}
        self._write(json.dumps(setup))
        reply = self._readline(self.startup_timeout)
        if self.stopping:
            self._kill()
            raise _Stopped()
        if reply in (_TIMEOUT, _EOF):
            detail = self._stderr_tail()
            self.close()
            raise GradingError(f"the grading worker did not start: {detail or 'no output'}")
        message = json.loads(reply)
        if "error" in message:
            self.close()
            raise GradingError(f"the grading worker could not load the keys: {message['error']}")

    @property
    def stopping(self):
        return self.stop is not None and self.stop.is_set()

    def close(self):
        if self.proc is not None:
            if self.proc.poll() is None:
                try:
                    self.proc.stdin.close()
                except OSError:
                    pass
                try:
                    self.proc.wait(timeout=0.1 if self.stopping else 2)
                except subprocess.TimeoutExpired:
                    self.proc.kill()
                    self.proc.wait()
            _LIVE.discard(self.proc)
            for stream in (self.proc.stdout, self.proc.stdin):
                try:
                    stream.close()
                except OSError:
                    pass
            self.proc = None
        if self._stderr is not None:
            self._stderr.close()
            self._stderr = None

    def _kill(self):
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.close()

    def kill(self):
        """Stop the worker process now (from any thread); the grading thread sees the
        end of its output and, with ``stop`` set, gives up instead of restarting it."""
        proc = self.proc
        if proc is not None and proc.poll() is None:
            try:
                proc.kill()
            except OSError:
                pass

    def _stderr_tail(self, limit=400):
        if self._stderr is None:
            return ""
        try:
            self._stderr.seek(0)
            data = self._stderr.read().decode("utf-8", "replace").strip()
        except (OSError, ValueError):
            return ""
        lines = data.splitlines()
        return lines[-1][-limit:] if lines else ""

    def _write(self, text):
        self.proc.stdin.write(text.encode("utf-8") + b"\n")
        self.proc.stdin.flush()

    def _readline(self, timeout):
        fd = self.proc.stdout.fileno()
        deadline = time.monotonic() + timeout
        while b"\n" not in self._buf:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return _TIMEOUT
            ready, _, _ = select.select([fd], [], [], remaining)
            if not ready:
                return _TIMEOUT
            chunk = os.read(fd, 1 << 16)
            if not chunk:
                return _EOF
            self._buf += chunk
        line, _, self._buf = self._buf.partition(b"\n")
        return line

    # ---- grading
    def grade(self, part, answer, max_score=0.0):
        """Grade one answer in the worker; returns the result mapping."""
        crash = None
        for attempt in (1, 2):
            if self.proc is None or self.proc.poll() is not None:
                if self.proc is not None:
                    self.close()
                self.start()
            try:
                self._write(json.dumps({"id": 0, "part": part, "answer": answer}))
                reply = self._readline(self.time_limit + self.grace)
            except (BrokenPipeError, ConnectionResetError, OSError, ValueError):
                reply = _EOF
            if self.stopping:
                self._kill()
                raise _Stopped()
            if reply is _TIMEOUT:
                self._kill()
                return _fail_row(max_score, "timeout",
                                 f"time limit: grading this answer took longer than "
                                 f"{self.time_limit:g} s (the worker was stopped), so it gets "
                                 "no credit.")
            if reply is _EOF:
                code = self.proc.poll() if self.proc is not None else None
                tail = self._stderr_tail()
                self._kill()
                if "MemoryError" in tail:
                    return _fail_row(max_score, "timeout",
                                     "memory limit: grading this answer needed too much "
                                     "memory, so it gets no credit.")
                crash = f"exit status {code}" + (f": {tail}" if tail else "")
                continue
            return json.loads(reply)["result"]
        return _fail_row(max_score, "invalid",
                         f"grading failed: the worker crashed twice ({crash}); "
                         "flagged for review.", review=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


class _Stopped(Exception):
    """The batch is shutting down: the answer in progress is left for the next run."""


class Interrupted(KeyboardInterrupt):
    """SIGINT or SIGTERM stopped a batch; every row finished before is kept in ``out``.

    ``signum`` is the signal, ``kept`` the number of rows graded (now and before)."""

    def __init__(self, signum, kept=0, total=0):
        super().__init__(signum)
        self.signum, self.kept, self.total = signum, kept, total


_LIVE: set = set()          # worker processes alive in this process, for the shutdown


def _fail_row(max_score, status, feedback, review=False):
    return {"score": 0.0, "max_score": max_score, "status": status, "feedback": feedback,
            "strategy": None, "proven": False, "mistake": None, "review": review,
            "seconds": 0.0}


# --------------------------------------------------------------------------- input

def read_answers(path):
    """Read answer rows from a ``.csv`` (header ``student,part,answer``) or ``.jsonl``
    file. A malformed row is kept, marked with ``"_error"``, so that it still gets
    its output row."""
    rows = []
    try:
        if str(path).endswith((".jsonl", ".json", ".ndjson")):
            with open(path, encoding="utf-8", errors="replace") as fh:
                for number, line in enumerate(fh, 1):
                    if not line.strip():
                        continue
                    try:
                        obj = json.loads(line)
                    except (ValueError, RecursionError) as exc:   # RecursionError: deep nesting
                        why = "nested too deeply" if isinstance(exc, RecursionError) \
                            else "not valid JSON"
                        rows.append({"student": None, "part": None, "answer": None,
                                     "_error": f"input line {number} is {why}"})
                        continue
                    rows.append(_row(obj, f"input line {number}"))
        else:
            csv.field_size_limit(1 << 26)
            with open(path, newline="", encoding="utf-8", errors="replace") as fh:
                reader = csv.DictReader(fh)
                missing = {"student", "part", "answer"} - set(reader.fieldnames or ())
                if missing:
                    raise GradingError(f"the answers file {path} must have the columns student, "
                                       f"part, answer, but {', '.join(sorted(missing))} is missing")
                rows.extend(_csv_rows(reader))
    except OSError as exc:
        raise GradingError(f"cannot read the answers file {path}: {exc.strerror}") from None
    return rows


def _csv_rows(reader):
    """The rows of a ``csv.DictReader``; a record the csv module refuses (a field over
    its size limit, a NUL byte) becomes one malformed row and reading goes on."""
    rows = []
    while True:
        start = reader.reader.line_num
        try:
            obj = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            rows.append({"student": None, "part": None, "answer": None,
                         "_error": f"input line {start + 1} cannot be read as CSV ({exc})"})
            if reader.reader.line_num == start:     # no progress: stop rather than loop
                return rows
            continue
        rows.append(_row(obj, f"input line {start + 1}"))


def _clean_text(value):
    """``value`` with lone surrogates (valid in JSON, not encodable as UTF-8) replaced
    by U+FFFD, and whether there were any."""
    if not isinstance(value, str):
        return value, False
    try:
        value.encode("utf-8")
        return value, False
    except UnicodeEncodeError:
        return "".join("\ufffd" if "\ud800" <= c <= "\udfff" else c for c in value), True


def _row(obj, where):
    if isinstance(obj, (list, tuple)) and len(obj) == 3:
        obj = dict(zip(("student", "part", "answer"), obj))
    if not isinstance(obj, dict):
        return {"student": None, "part": None, "answer": None,
                "_error": f"{where} must be an object with student, part and answer"}
    row = {"student": obj.get("student"), "part": obj.get("part"), "answer": obj.get("answer")}
    for name in ("student", "part"):
        if row[name] is not None and not isinstance(row[name], str):
            row[name] = str(row[name])
    bad = []
    for name in ("student", "part", "answer"):
        row[name], surrogate = _clean_text(row[name])
        if surrogate:
            bad.append(name)
    if bad:
        row["_error"] = (f"{where}: the {' and '.join(bad)} of this row contain(s) a lone "
                         "surrogate code point, which is not valid Unicode text")
    elif row["student"] is None or row["part"] is None:
        row["_error"] = f"{where} needs a student and a part"
    elif row["answer"] is not None and not isinstance(row["answer"], str):
        row["answer"] = json.dumps(row["answer"]) if not isinstance(row["answer"], (int, float)) \
            else str(row["answer"])
    return row


# --------------------------------------------------------------------------- output

@dataclass
class BatchReport:
    """Results (one mapping per input row, in input order) and the summary."""

    results: list
    summary: dict = field(default_factory=dict)

    def __str__(self):
        if not self.summary:
            return f"{len(self.results)} result row(s), no summary"
        return format_summary(self.summary)

    def __repr__(self):
        counts = self.summary.get("counts") or {}
        outcomes = ", ".join(f"{k} {v}" for k, v in counts.items() if v)
        return (f"<BatchReport {len(self.results)} row(s)"
                + (f": {outcomes}" if outcomes else "") + ">")

    def _repr_html_(self):
        # for Jupyter: the summary text (student and part names are user text: escaped)
        return f"<pre>{html.escape(str(self))}</pre>"

    def __explain__(self, check=True):
        """The lines :func:`symconv.explain` prints for this object."""
        return _batch_report(self, check)


def _output_row(index, row, result):
    out = {"row": index, "student": row.get("student"), "part": row.get("part")}
    for name in OUTPUT_FIELDS[3:-1]:
        out[name] = result.get(name)
    if "trail" in result:
        out["trail"] = result["trail"]
    return out


def _load_done(path, rows, prints):
    """Rows already graded in ``path`` (a previous, possibly interrupted, run) for the
    same answer and the same key (``prints``), and how many rows are there only for
    another answer or key (those are graded again, and the summary says so)."""
    done, seen = {}, set()
    if not os.path.exists(path):
        return done, 0
    with open(path, "rb") as fh:
        data = fh.read()
    keep = data.rfind(b"\n") + 1
    if keep < len(data):                      # a torn last line: drop it
        with open(path, "r+b") as fh:
            fh.truncate(keep)
    for line in data[:keep].splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        i = obj.get("row") if isinstance(obj, dict) else None
        if isinstance(i, int) and 0 <= i < len(rows) and obj.get("student") == rows[i].get("student") \
                and obj.get("part") == rows[i].get("part"):
            seen.add(i)
            if obj.get("fingerprint") == prints[i]:
                done[i] = obj
    return done, len(seen - set(done))


def _atomic_write(path, text):
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix=".symconv-", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def _summarise(results, rows_in, resumed, elapsed, graded):
    counts = {s: 0 for s in _STATUSES}
    hist = {b: 0 for b in _BINS}
    for r in results:
        counts[r["status"]] = counts.get(r["status"], 0) + 1
        frac = (r["score"] / r["max_score"]) if r.get("max_score") else 0.0
        if frac <= 0:
            hist["0%"] += 1
        elif frac >= 1:
            hist["100%"] += 1
        else:
            hist[_BINS[1 + min(3, int((frac - 1e-12) * 4))]] += 1
    slowest = sorted(results, key=lambda r: -(r.get("seconds") or 0))[:5]
    return {"rows_in": rows_in, "rows_out": len(results), "resumed": resumed, "graded": graded,
            "counts": counts, "histogram": hist,
            "slowest": [{"row": r["row"], "student": r["student"], "part": r["part"],
                         "status": r["status"], "seconds": r.get("seconds")} for r in slowest],
            "seconds": round(elapsed, 3),
            "answers_per_second": round(graded / elapsed, 1) if elapsed > 0 else None}


def format_summary(summary):
    """The summary as a short readable text."""
    lines = [f"rows: {summary['rows_in']} in, {summary['rows_out']} out "
             f"({summary['graded']} graded now, {summary['resumed']} from a previous run) "
             f"in {summary['seconds']:.1f} s"
             + (f" ({summary['answers_per_second']} answers/s)" if summary.get("answers_per_second")
                else "")]
    if summary.get("changed"):
        lines.append(f"REGRADED: {summary['changed']} row(s) of the previous run had another "
                     f"answer or key; they were graded again (their old grades are replaced)")
    if summary.get("unknown_parts"):
        parts = ", ".join(f"{p!r} ({n} row{'s' if n > 1 else ''})"
                          for p, n in sorted(summary["unknown_parts"].items()))
        lines.append(f"UNKNOWN PARTS: {parts}: not in the key file, graded invalid "
                     f"and left out of the gradebook")
    lines.append("outcomes: " + ", ".join(f"{k} {v}" for k, v in summary["counts"].items()))
    total = max(1, sum(summary["histogram"].values()))
    lines.append("score histogram (fraction of the part's points):")
    for label, count in summary["histogram"].items():
        bar = "#" * round(40 * count / total)
        lines.append(f"  {label:>7} {count:7d} {bar}")
    if summary["slowest"]:
        lines.append("slowest answers:")
        for s in summary["slowest"]:
            lines.append(f"  row {s['row']} ({s['student']}, {s['part']}): "
                         f"{(s['seconds'] or 0):.3f} s, {s['status']}")
    return terminal_text("\n".join(lines))   # student ids come from the answers file


class _Progress:
    def __init__(self, total, stream, enabled):
        self.total, self.stream, self.enabled = total, stream, enabled
        self.done = 0
        self.start = time.monotonic()
        self.last = 0.0

    def update(self, n=1):
        self.done += n
        now = time.monotonic()
        if not self.enabled or (now - self.last < 0.1 and self.done < self.total):
            return
        self.last = now
        rate = self.done / max(now - self.start, 1e-9)
        left = (self.total - self.done) / rate if rate > 0 else 0
        width = 30
        filled = int(width * self.done / max(self.total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {self.done}/{self.total} "
                          f"{rate:.0f}/s ETA {int(left) // 60:02d}:{int(left) % 60:02d} ")
        self.stream.flush()

    def close(self):
        if self.enabled:
            self.stream.write("\n")
            self.stream.flush()


# --------------------------------------------------------------------------- executors

class _LocalPool:
    """Threads, each driving one isolated worker process, over a queue of rows.

    :meth:`results` yields ``(row index, result)`` as they come; :meth:`shutdown` stops
    everything at once (workers killed, threads joined) and returns the results that
    were finished but not yet taken, so that none is lost."""

    def __init__(self, todo, rows, keys_blob, max_scores, workers, time_limit, memory_limit,
                 trail):
        self.tasks = queue.Queue()
        for i in todo:
            self.tasks.put(i)
        self.out = queue.Queue()
        self.stop = threading.Event()
        self.graders = []
        self.rows, self.max_scores = rows, max_scores
        self.args = (keys_blob, time_limit, memory_limit)
        self.trail = trail
        self.threads = [threading.Thread(target=self._loop, daemon=True,
                                         name=f"symconv-grader-{k}")
                        for k in range(max(1, min(workers, len(todo))))]
        for t in self.threads:
            t.start()

    def _loop(self):
        keys_blob, time_limit, memory_limit = self.args
        try:
            grader = IsolatedGrader(keys_blob, time_limit, memory_limit, trail=self.trail,
                                    stop=self.stop)
            self.graders.append(grader)
            with grader:
                while not self.stop.is_set():
                    try:
                        i = self.tasks.get_nowait()
                    except queue.Empty:
                        break
                    row = self.rows[i]
                    result = grader.grade(row["part"], row["answer"],
                                          self.max_scores.get(row["part"], 0.0))
                    self.out.put((i, result))
        except _Stopped:
            pass
        except BaseException as exc:   # reported to the main thread
            if not self.stop.is_set():
                self.out.put(("error", exc))
        finally:
            self.out.put(("done", None))

    def results(self):
        running = len(self.threads)
        while running:
            i, result = self.out.get()
            if i == "done":
                running -= 1
            elif i == "error":
                raise result
            else:
                yield i, result

    def shutdown(self, timeout=0.8):
        """Stop now: kill the workers, join the threads; the finished results not yet
        taken from the queue."""
        self.stop.set()
        for grader in list(self.graders):
            grader.kill()
        end = time.monotonic() + timeout
        for t in self.threads:
            t.join(max(0.0, end - time.monotonic()))
        for proc in list(_LIVE):          # a worker started in the meantime
            if proc.poll() is None:
                proc.kill()
        left = []
        while True:
            try:
                i, result = self.out.get_nowait()
            except queue.Empty:
                return left
            if isinstance(i, int):
                left.append((i, result))


def _inprocess_results(todo, rows, keys, time_limit, trail):
    from symconv.grading.worker import grade_one

    for i in todo:
        row = rows[i]
        yield i, grade_one(keys, row["part"], row["answer"], time_limit, trail)


_DASK_POOL: dict = {}
_DASK_LOCK = threading.Lock()


def _dask_grade_chunk(chunk, keys_blob, time_limit, memory_limit, trail, max_scores):
    """Runs on a Dask worker: grade ``[(index, part, answer), ...]`` in an isolated
    process kept by that Dask worker between tasks."""
    import hashlib

    tag = (hashlib.sha256(keys_blob).hexdigest(), time_limit, memory_limit, trail)
    with _DASK_LOCK:
        free = _DASK_POOL.setdefault(tag, [])
        grader = free.pop() if free else IsolatedGrader(keys_blob, time_limit, memory_limit,
                                                        trail=trail)
    results = []
    try:
        for i, part, answer in chunk:
            results.append((i, grader.grade(part, answer, max_scores.get(part, 0.0))))
    except BaseException:
        grader.close()
        raise
    with _DASK_LOCK:
        _DASK_POOL[tag].append(grader)
    return results


def _require_distributed():
    """The ``distributed`` module (the optional ``dask`` extra), or a GradingError saying
    how to install it."""
    try:
        import distributed
    except ImportError:
        raise GradingError("a Dask scheduler needs the optional 'dask' extra (the package "
                           "'distributed'), but it is not installed: python -m pip install "
                           "'symconv[dask]' (from a source checkout: python -m pip install "
                           "'.[dask]')") from None
    return distributed


def _dask_results(todo, rows, keys_blob, max_scores, scheduler, time_limit, memory_limit, trail,
                  chunk_size):
    distributed = _require_distributed()
    Client, as_completed = distributed.Client, distributed.as_completed
    client = scheduler if hasattr(scheduler, "submit") else Client(scheduler)
    own = client is not scheduler
    try:
        blob = client.scatter(keys_blob, broadcast=True)
        chunks = [[(i, rows[i]["part"], rows[i]["answer"]) for i in todo[k:k + chunk_size]]
                  for k in range(0, len(todo), chunk_size)]
        futures = [client.submit(_dask_grade_chunk, chunk, blob, time_limit, memory_limit, trail,
                                 max_scores, pure=False) for chunk in chunks]
        for future in as_completed(futures):
            for i, result in future.result():
                yield i, result
    finally:
        if own:
            client.close()


# --------------------------------------------------------------------------- the batch

def grade_batch(rows, keys, *, workers=2, time_limit=10.0, memory_limit=2 << 30, out=None,
                resume=True, scheduler=None, progress=False, chunk_size=32, trail=False,
                on_result=None):
    """Grade many answers, each in an isolated worker process.

    Parameters
    ----------
    rows : iterable
        Mappings (or triples) with ``student``, ``part``, ``answer``; or a path to a
        ``.csv``/``.jsonl`` file (see :func:`read_answers`).
    keys : path, mapping or dict of AnswerKey
        The answer keys by part id (see :func:`~symconv.grading.keys.load_keys`).
    workers : int, default 2
        Local worker processes. ``0`` grades in this process (no hard time or memory
        limit: for trusted input and debugging only).
    time_limit : float, default 10
        Seconds per answer.
    memory_limit : int, default 2 GiB
        Address-space limit per worker process, in bytes.
    out : path, optional
        JSON-lines output, written incrementally; an existing file is resumed.
    resume : bool, default True
        Skip rows already in ``out`` for the same answer and key (rows whose answer or
        key changed are graded again). False starts the file afresh.
    scheduler : str or distributed.Client, optional
        Run on a Dask distributed cluster instead of local processes.
    progress : bool or file, default False
        A progress bar (True: on stderr).
    chunk_size : int, default 32
        Rows per Dask task.
    trail : bool, default False
        Include every result's verdict trail in the output rows.
    on_result : callable, optional
        Called as ``on_result(output_row)`` for each row as soon as it is graded.

    Returns
    -------
    BatchReport
        ``.results`` (one mapping per input row, in input order; fields ``row, student,
        part, score, max_score, status, feedback, strategy, proven, mistake, review,
        seconds, fingerprint``) and ``.summary`` (counts per outcome, score histogram,
        slowest answers, ``changed`` rows regraded, ``unknown_parts``).

    Raises
    ------
    Interrupted
        On SIGINT or SIGTERM (when called from the main thread), after the workers
        are stopped and the finished rows written.
    """
    t0 = time.monotonic()
    if isinstance(rows, (str, os.PathLike)):
        rows = read_answers(rows)
    rows = [_row(r, f"row {k}") if not (isinstance(r, dict) and "_error" in r) else r
            for k, r in enumerate(rows)]
    if isinstance(keys, (str, os.PathLike)) or (isinstance(keys, dict) and not all(
            isinstance(v, AnswerKey) for v in keys.values())):
        keys = load_keys(keys)
    else:
        keys = {str(p): as_key(k, part=str(p)) for p, k in keys.items()}
    from symconv.grading.grader import prepare

    for k in keys.values():
        prepare(k)                               # broken keys fail here, before any grading
    max_scores = {p: k.points for p, k in keys.items()}
    if isinstance(workers, bool) or not isinstance(workers, int) or workers < 0:
        raise GradingError(f"workers must be an integer >= 0, but got {workers!r}")
    if not time_limit or time_limit <= 0:
        raise GradingError(f"time_limit must be a positive number, but got {time_limit!r}")
    if scheduler is not None and not hasattr(scheduler, "submit"):
        _require_distributed()   # before any output is written

    prints = _fingerprints(rows, keys)
    done, changed = {}, 0
    if out is not None:
        out = os.fspath(out)
        if resume:
            done, changed = _load_done(out, rows, prints)
        elif os.path.exists(out):
            os.unlink(out)
    results = [None] * len(rows)
    for i, r in done.items():
        results[i] = r
    todo, pool = [], None
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644) if out else None
    stream = sys.stderr if progress is True else (progress or None)
    bar = _Progress(len(rows), stream, bool(stream) and (progress is not True or stream.isatty()))
    bar.update(len(done))

    def record(i, result):
        results[i] = _output_row(i, rows[i], result)
        results[i]["fingerprint"] = prints[i]
        if fd is not None:
            os.write(fd, (json.dumps(results[i], ensure_ascii=False) + "\n").encode("utf-8"))
        bar.update()
        if on_result is not None:
            on_result(results[i])

    try:
        for i, row in enumerate(rows):
            if i in done:
                continue
            if "_error" in row:
                record(i, _fail_row(0.0, "invalid", f"malformed input row: {row['_error']}",
                                    review=True))
            elif row["part"] not in keys:
                record(i, _fail_row(0.0, "invalid", _unknown_part(row["part"], keys),
                                    review=True))
            else:
                todo.append(i)
        blob = pickle.dumps(keys)
        with _signals_raise(lambda: sum(r is not None for r in results), len(rows)):
            if scheduler is not None:
                source = _dask_results(todo, rows, blob, max_scores, scheduler, time_limit,
                                       memory_limit, trail, chunk_size)
            elif workers == 0:
                source = _inprocess_results(todo, rows, keys, time_limit, trail)
            else:
                pool = _LocalPool(todo, rows, blob, max_scores, workers, time_limit,
                                  memory_limit, trail)
                source = pool.results()
            try:
                for i, result in source:
                    record(i, result)
            except BaseException:
                if pool is not None:
                    for i, result in pool.shutdown():     # finished rows are kept
                        if results[i] is None:
                            record(i, result)
                raise
            finally:
                if pool is not None:
                    pool.shutdown()
    except Interrupted as exc:
        exc.kept = sum(r is not None for r in results)
        exc.total = len(rows)
        raise
    finally:
        bar.close()
        if fd is not None:
            os.fsync(fd)
            os.close(fd)
    missing = [i for i, r in enumerate(results) if r is None]
    if missing:
        raise GradingError(f"{len(missing)} rows were not graded (first: row {missing[0]})")
    if out is not None:
        _atomic_write(out, "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in results))
    graded = len(rows) - len(done)
    summary = _summarise(results, len(rows), len(done), time.monotonic() - t0, graded)
    summary["changed"] = changed
    unknown = {}
    for r, row in zip(results, rows):
        if "_error" not in row and row["part"] not in keys:
            unknown[str(row["part"])] = unknown.get(str(row["part"]), 0) + 1
    summary["unknown_parts"] = unknown
    return BatchReport(results, summary)


def _fingerprints(rows, keys):
    """sha256 of (the key of the row's part, the answer), per row: a previous result is
    reused only for the same answer graded against the same key."""
    import hashlib

    key_hash = {}
    for part, key in keys.items():
        text = json.dumps(key.to_dict(), sort_keys=True, default=str)
        key_hash[part] = hashlib.sha256(text.encode("utf-8")).hexdigest()
    out = []
    for row in rows:
        blob = json.dumps([key_hash.get(row.get("part"), "no key"), row.get("part"),
                           row.get("answer"), row.get("_error")], ensure_ascii=False)
        out.append(hashlib.sha256(blob.encode("utf-8", "replace")).hexdigest()[:32])
    return out


def _unknown_part(part, keys):
    import difflib

    close = difflib.get_close_matches(str(part), list(keys), n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    known = ", ".join(list(keys)[:12]) + (", ..." if len(keys) > 12 else "")
    return f"no answer key for part {part!r}{hint}; the key file has: {known}"


class _signals_raise:
    """While a batch runs in the main thread, SIGTERM and SIGINT raise
    :class:`Interrupted` there (the workers are then stopped at once and the finished
    rows kept); the previous handlers come back afterwards."""

    def __init__(self, kept, total):
        self.kept, self.total = kept, total
        self.saved = {}
        self.fired = False

    def __enter__(self):
        import signal

        if threading.current_thread() is not threading.main_thread():
            return self

        def handler(signum, frame):
            if self.fired:             # a second signal during the shutdown: it is under way
                return
            self.fired = True
            raise Interrupted(signum, self.kept(), self.total)

        for sig in (signal.SIGTERM, signal.SIGINT):
            try:
                self.saved[sig] = signal.signal(sig, handler)
            except (ValueError, OSError):
                pass
        return self

    def __exit__(self, *exc):
        import signal

        for sig, old in self.saved.items():
            signal.signal(sig, old)
        return False


# --------------------------------------------------------------------------- exports

def write_gradescope(results, path, keys=None):
    """Write Gradescope ``results.json``: one test per part with ``score``,
    ``max_score``, ``status``, ``output`` (the feedback) and ``visibility``.

    With one student the file is exactly Gradescope's per-submission object
    ``{"score", "execution_time", "tests": [...]}``; with several students it maps
    each student id to such an object.
    """
    order = list(keys) if keys else []
    per_student = {}
    for r in results:
        per_student.setdefault(r["student"], []).append(r)
    docs = {}
    for student, items in per_student.items():
        items = sorted(items, key=lambda r: (order.index(r["part"]) if r["part"] in order
                                             else len(order), r["row"]))
        tests = [{"name": str(r["part"]), "number": str(n), "score": r["score"],
                  "max_score": r["max_score"],
                  "status": "passed" if r["status"] == "correct" else "failed",
                  "output": f"[{r['status']}] {r['feedback']}", "visibility": "visible"}
                 for n, r in enumerate(items, 1)]
        docs[student] = {"score": round(sum(t["score"] for t in tests), 6),
                         "execution_time": round(sum(r.get("seconds") or 0 for r in items), 3),
                         "output": f"{len(tests)} part(s) graded by symconv",
                         "stdout_visibility": "hidden", "tests": tests}
    doc = next(iter(docs.values())) if len(docs) == 1 else docs
    _atomic_write(path, json.dumps(doc, indent=2, ensure_ascii=False) + "\n")
    return doc


def _cell(value):
    """A text cell that a spreadsheet shows as text: one starting with ``= + - @``, a
    tab or a carriage return would be read as a formula (CSV injection), so it gets a
    leading ``'``, the usual spreadsheet-safe prefix.

    >>> print(_cell("=HYPERLINK(1)"), _cell("alice"), _cell("-1"))
    '=HYPERLINK(1) alice '-1
    """
    text = str(value)
    return "'" + text if text.startswith(("=", "+", "-", "@", "\t", "\r")) else text


def write_gradebook(results, path, keys=None):
    """Write a CSV gradebook: one line per student, one column per part, and totals.
    Student ids and part names that a spreadsheet would run as formulas are prefixed
    with ``'`` (see :func:`_cell`)."""
    parts = list(keys) if keys else []
    for r in results:
        if r["part"] not in parts and not keys:   # with keys: a part not in them is no column
            parts.append(r["part"])
    book = {}
    for r in results:
        entry = book.setdefault(r["student"], {})
        prev = entry.get(r["part"])
        if prev is None or r["score"] > prev[0]:
            entry[r["part"]] = (r["score"], r["max_score"])
    buf = io.StringIO()
    writer = csv.writer(buf)
    writer.writerow(["student", *[_cell(p) for p in parts], "total", "max_total"])
    for student in sorted(book, key=lambda s: str(s)):
        entry = book[student]
        scores = [entry.get(p, (0.0, 0.0)) for p in parts]
        max_total = sum((keys[p].points if keys and p in keys else entry.get(p, (0, 0))[1])
                        for p in parts)
        writer.writerow([_cell(student), *[f"{s:g}" for s, _ in scores],
                         f"{sum(s for s, _ in scores):g}", f"{max_total:g}"])
    _atomic_write(path, buf.getvalue())
    return buf.getvalue()


# ---------------------------------------------------------------------------
# explain(): what these results say about how they were obtained and checked
# ---------------------------------------------------------------------------

def _batch_report(report, check):
    rows = list(report.results)
    order = ("correct", "partial", "incorrect", "invalid", "timeout")
    counts = {status: sum(1 for r in rows if r.get("status") == status) for status in order}
    score = sum(float(r.get("score") or 0) for r in rows)
    best = sum(float(r.get("max_score") or 0) for r in rows)
    out = [f"batch of {len(rows)} graded answer(s): "
           + ", ".join(f"{status} {n}" for status, n in counts.items()),
           f"points: {score:g} of {best:g}"]
    out += _wrap("obtained: symconv.grading.grade_batch graded every answer on its own (in an "
                 "isolated worker process with time and memory limits, unless workers=0), "
                 "each against its part's key, exactly as grade() does.")
    proven = sum(1 for r in rows if r.get("proven"))
    decided = [r for r in rows if r.get("strategy")]
    if decided:
        out += _wrap(f"decided: {proven} of {len(decided)} verdict(s) exact (an identity or "
                     f"an exact counterexample), {len(decided) - proven} numerically at seeded "
                     "sample points")
    review = [r for r in rows if r.get("review")]
    if review:
        which = ", ".join(str(r.get("row")) for r in review[:10])
        out += _wrap(f"flagged for review by a human: {len(review)} row(s) ({which}"
                     + (", ..." if len(review) > 10 else "") + ")")
    out += _wrap("each row keeps its feedback (and its trail with trail=True); "
                 "explain(grade(answer, key)) explains one answer.")
    return out
