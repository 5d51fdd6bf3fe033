"""Users, roles and memberships: who may act, for which organisation and territory."""
