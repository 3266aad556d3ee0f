"""Rehearsals: simulated nights, comparisons of timed dry runs, calibration of the plan."""
