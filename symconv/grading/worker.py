"""The grading worker process: ``python -m symconv.grading.worker``.

The batch grader starts one of these per worker slot and talks to it over its
standard input and output, one JSON object per line:

1. the parent sends ``{"keys": <base64 pickle of {part: AnswerKey}>, "time_limit": s,
   "memory_limit": bytes}``; the worker caps its address space with
   ``resource.setrlimit(RLIMIT_AS)``, prepares every key and answers ``{"ready": true}``
   (or ``{"error": "..."}``);
2. then, per answer, the parent sends ``{"id": i, "part": p, "answer": text}`` and the
   worker answers ``{"id": i, "result": {...}}`` (``GradeResult.to_dict()`` without
   the trail unless ``"trail": true`` was in the first message).

Inside the worker the time limit is enforced with SIGALRM (the worker's main thread
does the grading); the parent adds a hard limit by killing a worker that does not
answer in time. The pickle only ever travels parent -> worker (trusted keys); what
comes back is plain JSON.
"""

import base64
import json
import os
import pickle
import sys

__all__ = ["main"]


def _send(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()


def _limit_memory(nbytes):
    if not nbytes:
        return
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (int(nbytes), int(nbytes)))
    except (ImportError, ValueError, OSError):  # not on this platform: the parent still times out
        pass


def grade_one(keys, part, answer, time_limit, with_trail=False):
    """Grade one answer; never raises for anything about the answer."""
    from symconv.grading.grader import grade

    key = keys.get(part)
    if key is None:
        return {"score": 0.0, "max_score": 0.0, "status": "invalid",
                "feedback": f"no answer key for part {part!r}", "strategy": None,
                "proven": False, "mistake": None, "review": True, "seconds": 0.0}
    try:
        result = grade(answer, key, time_limit=time_limit).to_dict()
    except MemoryError:
        result = {"score": 0.0, "max_score": key.points, "status": "timeout",
                  "feedback": "memory limit: grading this answer needed too much memory, so it "
                              "gets no credit.", "strategy": None, "proven": False,
                  "mistake": None, "review": False, "seconds": 0.0}
    if not with_trail:
        result.pop("trail", None)
    return result


def _tie_to_parent(parent):
    """Ctrl-C is for the parent (which stops this worker); and if the parent dies, so
    does this worker at once (Linux: PR_SET_PDEATHSIG), rather than after its answer."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if not parent or not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, int(signal.SIGKILL), 0, 0, 0)      # PR_SET_PDEATHSIG = 1
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:                         # the parent died before prctl
        os._exit(1)


def main():
    first = sys.stdin.readline()
    if not first:
        return 0
    try:
        setup = json.loads(first)
        _tie_to_parent(setup.get("parent"))
        keys = pickle.loads(base64.b64decode(setup["keys"]))
        time_limit = float(setup.get("time_limit", 10.0))
        with_trail = bool(setup.get("trail", False))
        from symconv.grading.grader import prepare

        for key in keys.values():
            prepare(key)
        _limit_memory(setup.get("memory_limit"))
    except Exception as exc:  # report setup problems to the parent, then stop
        _send({"error": f"{type(exc).__name__}: {exc}"})
        return 1
    _send({"ready": True})
    for line in sys.stdin:
        request = json.loads(line)
        result = grade_one(keys, request.get("part"), request.get("answer"), time_limit,
                           with_trail)
        _send({"id": request.get("id"), "result": result})
    return 0


if __name__ == "__main__":
    sys.exit(main())
