"""Demo data: the pairings of the seed reports and demo users, loaded by `bangfu demo`."""
