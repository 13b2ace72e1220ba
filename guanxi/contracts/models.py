"""Contracts, payment plans and payments received (回款)."""
