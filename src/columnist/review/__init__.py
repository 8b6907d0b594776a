"""The editor's desk: who publishes a post (policy), the people who review (users),
and what they may do to a post (actions)."""
