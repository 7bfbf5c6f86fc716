"""PD credit (PRODUCT §13): units and state rules, outside training, evaluations, and
required and expiring trainings — one subpackage each."""
