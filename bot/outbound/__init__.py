"""Everything that leaves: the durable outbox, the paced lane, delivery, who cannot be reached."""
