"""Infrastructure shared by every layer of symconv (the lowest layer; internal).

* :mod:`~symconv._util.validate` -- argument checks with messages for people;
* :mod:`~symconv._util.deadline` -- the one nestable wall-time limit;
* :mod:`~symconv._util.sympy_safety` -- printing, evaluating and converting SymPy objects
  from outside without running code (the only module here that imports SymPy);
* :mod:`~symconv._util.text` -- user text made safe for a terminal;
* :mod:`~symconv._util.rowmajor` -- row-major strides;
* :mod:`~symconv._util.checkout` -- the exercise catalogue from a source checkout.

Nothing here imports a higher layer of symconv.
"""
