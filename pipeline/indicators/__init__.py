"""Indicator statements (name, value, unit, year, target or result) and comparisons across years."""
