"""Every query of the tourism collections; filters are built here from typed arguments only."""
