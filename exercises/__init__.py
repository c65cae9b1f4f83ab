"""The symconv exercise catalogue, installed as :mod:`symconv.exercises`.

Every exercise states its prompt in the project's own words and computes its solution by
calling the library; see ``exercises/README.md`` for the format.
"""
