"""Opportunity pages: the kanban board, the list, detail, forms and actions."""
