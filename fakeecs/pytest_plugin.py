"""pytest plugin for fakeecs (fixtures are added by the fakeecs protocol work)."""
