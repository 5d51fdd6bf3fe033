"""Notifications: in-app inbox, e-mail and SMS through pluggable backends, sent after commit."""
