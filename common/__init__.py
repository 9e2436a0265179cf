"""What the core (bot/), the channel adapters (handlers/) and storage/ share: the messages in and out
(``events``), the product's errors, fast JSON. Imports nothing of ours."""
