"""Shared kernel: base model, audit events, domain errors, environment and geo helpers."""
