"""Headless runs: ops run, the run archive and header, results, the secrets guard, the audit review, schedules."""
