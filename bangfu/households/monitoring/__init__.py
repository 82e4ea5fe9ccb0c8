"""Relapse-prevention monitoring: rules evaluated set-based in the database, runs, findings."""
