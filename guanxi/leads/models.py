"""线索: lead entry, assignment rules and conversion."""
