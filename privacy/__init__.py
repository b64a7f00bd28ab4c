"""Data protection: the pages and services that read the audit trail and the case data together.

`audit` keeps the records (the trail, break-the-glass grants, requests, retention decisions) low in
the house, so every app can write them; what reads them beside cases, families and reminders lives
here, above those apps (CONTRIBUTING.md: the floors).
"""
