"""Scoring schemes as data: versions (draft → published), their services, reads and editor."""
