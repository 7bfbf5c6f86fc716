"""Open Badges 3.0 credentials for the certificates the registry issues (issue 16, point 4)."""
