"""Pipelines, stages and opportunities (商机) with the kanban board."""
