"""The pure rules of the SLA trackers: the legal calendar, the deadline catalogue, counting, stages and records."""
