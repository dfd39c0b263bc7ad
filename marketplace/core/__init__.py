"""Pieces every domain shares: money, time, audit log, mail, errors, security headers."""
