"""Reports and exports (PRODUCT §9): aggregated in SQL, scoped in access.py."""
