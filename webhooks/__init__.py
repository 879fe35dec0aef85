"""Webhooks: verify, record durably, acknowledge fast, process exactly once in a job."""
