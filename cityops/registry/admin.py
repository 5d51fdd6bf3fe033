"""Registry back office. (A map preview widget is added by registry/admin_widgets.py.)"""

from django.contrib import admin

from cityops.registry import models as m

for _model, _search in (
    (m.City, ("code", "name")),
    (m.District, ("code", "name")),
    (m.Street, ("code", "name")),
    (m.Community, ("code", "name")),
    (m.Grid, ("code", "name")),
    (m.Organisation, ("name", "short_name", "uscc")),
    (m.RoadSegment, ("code", "name")),
    (m.GreenSpace, ("code", "name")),
    (m.ComponentType, ("major_name", "minor_name", "major_code", "minor_code")),
    (m.Component, ("code", "name")),
    (m.Compound, ("code", "name", "address")),
    (m.Contract, ("number", "title")),
    (m.Lot, ("code", "name")),
):
    admin.site.register(_model, search_fields=_search)
