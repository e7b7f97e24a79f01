"""SLA trackers: the legal calendar, the deadline catalogue, counting, and the deadline engine (DESIGN.md §4)."""
