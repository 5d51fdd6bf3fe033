"""Bench-only Django site for bench/api_gunicorn.py: the product's settings and URLs plus one
"ceiling" view. Never imported by the product (it lives under bench/, not cityops/)."""
