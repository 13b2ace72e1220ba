"""A realistic Chinese demo company, bulk-loaded fast enough for 1,000,000 customers.

`guanxi demo --customers N` and `guanxi setup_first_run` call `generator.demo_create`.
"""
