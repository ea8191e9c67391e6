"""fakeecs."""
