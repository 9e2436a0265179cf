"""From a ticket to the crews: the card, offers, crew buttons, escalation, the desk, relay, SLA, follow-up."""
