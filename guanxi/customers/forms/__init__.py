"""Forms check shape and hand cleaned_data to a service (STYLE.md rule 8)."""
