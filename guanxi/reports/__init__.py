"""Sales funnel, trend and forecast reports."""
