"""Working calendar: working hours, public holidays, swapped working days (调休).

Deadline arithmetic in working time.
"""
