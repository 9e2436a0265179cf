"""The configuration: one object from TOML, and its sections."""
