"""Writes of property management, one module per topic (``<entity>_<verb>``)."""
