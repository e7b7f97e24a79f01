"""The deadline machinery: the engine over the service's own tables, the tracker that ticks it, and the receipt of
the other agencies' breaches. The rules it applies are pure and live in `liandong.sla`."""
