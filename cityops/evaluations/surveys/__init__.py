"""Resident satisfaction: surveys and the policy of editable numbers (weights, appeal window)."""
