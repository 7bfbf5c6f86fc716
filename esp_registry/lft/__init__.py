"""Leaders for Tomorrow: cycles, applications, affiliate endorsement, national scoring and
selection of the cohort (PRODUCT §5)."""
