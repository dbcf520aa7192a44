"""Verified rules, one per module: findings a shadow run measured rather than guessed."""
