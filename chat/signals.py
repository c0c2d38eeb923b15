"""Signals chat sends so that apps above it (crisis) can act without chat importing them.

youth_message_stored is sent inside the transaction that stores the message, while the
conversation row is locked: receivers that update the conversation are serialized per
conversation, and what they write commits (or not) with the message.
Arguments: conversation_id, seq, text, at, status, risk_state (the conversation's stored state).
"""
from django.dispatch import Signal

youth_message_stored = Signal()
