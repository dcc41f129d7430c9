"""What every Wyoming service shares: runner, connection, protocol, pool, audio, announce, model sources."""
