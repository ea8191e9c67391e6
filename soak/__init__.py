"""Soak test for fakeecs: many concurrent clients against one `fakeecs serve`, then invariants."""
