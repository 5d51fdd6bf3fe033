"""Writes of the inspections app (every state change audited, multi-row writes atomic)."""
