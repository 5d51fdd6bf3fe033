"""The evaluation of a subject (a contract's month, a snowfall event) and its background job:
the monthly scoring, the stored snapshots, the explanation, the run with its lease."""
