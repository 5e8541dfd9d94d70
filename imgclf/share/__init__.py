"""Sharing runs with a team: `imgclf push` and `imgclf pull`, DVC's push and pull of outputs and run cache, after a
check of the remote that turns every failure into one line."""

from .remote import check, transfer

__all__ = ["check", "transfer"]
