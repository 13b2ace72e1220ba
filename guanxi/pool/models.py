"""The shared pool (公海): claim, release, limits and recycling rules."""
