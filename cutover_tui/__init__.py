"""cutover: a terminal war room for IT cutovers."""
