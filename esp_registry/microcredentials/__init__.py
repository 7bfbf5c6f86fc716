"""Micro-credentials (PRODUCT §14)."""
