"""Pure ECS rules: functions of their arguments, no state, no I/O (the engine holds the state)."""
