"""Writes of the decisions app: meetings and items (``items``), the ladder (``ladder_job``),
documents (``documents``), task forces (``taskforce``)."""
