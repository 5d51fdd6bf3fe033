"""Snow removal (除雪考评): the snowfall event as an evaluated subject, scored per contract."""
