"""After the emergency: hazards rectified by a deadline (hazards, kinds), the inspection queue and complaints
with their one-working-day deadline (cases), household inspection booking (booking), and the sweep of their
deadlines (deadlines)."""
