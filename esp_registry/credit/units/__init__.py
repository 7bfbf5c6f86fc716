"""Credit units and their state rules (PRODUCT §13): contact hours plus configured units
(CEUs, a state's PDPs, a contract's training points), converted per state affiliate."""
