"""Intervention plans, reviews and closure (steps 7-9): built in the family-work issue."""
