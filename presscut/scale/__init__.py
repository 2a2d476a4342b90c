"""Corpora past one machine: streaming ``segment`` and ``dedup`` stages.

The stage functions (:mod:`presscut.scale.stages`, :mod:`presscut.scale.segment`) map
Arrow tables to Arrow tables; :mod:`presscut.scale.dedup` and
:mod:`presscut.scale.segment` run them in a bounded-memory loop on one machine with
DuckDB for the joins, and :mod:`presscut.scale.ray_jobs` runs the same functions on Ray Data.
Needs the ``[scale]`` extra (DuckDB, rensa); the Ray path also ``[ray]``.
"""
