"""Post-training evaluations (PRODUCT §13): a short survey per program or offering that may
gate the certificate, answered anonymously, shown to staff as aggregates from 5 answers."""
