-- The outbox worker's poll (storage/outbox.py OutboxRepo.due): the most urgent, oldest pending rows, read in
-- index order and stopped at the batch's size. The former index (status, next_attempt_at, priority) made it
-- read and sort every pending row at each poll: in a surge, thousands of crew cards waiting for their chats.
DROP INDEX outbox_due;
CREATE INDEX outbox_next ON outbox (status, priority, id, chat, next_attempt_at);
-- A broadcast's sent / blocked / failed / uncertain are kept as its deliveries finish (they were written only at
-- the end), so `hotline broadcast status` reads one row instead of counting a million: the running broadcasts'
-- and the cancelled ones' counts, from their rows.
UPDATE broadcasts SET
    sent = (SELECT COUNT(*) FROM broadcast_deliveries d WHERE d.broadcast_id = broadcasts.id AND d.status = 'sent'),
    blocked = (SELECT COUNT(*) FROM broadcast_deliveries d WHERE d.broadcast_id = broadcasts.id AND d.status = 'blocked'),
    failed = (SELECT COUNT(*) FROM broadcast_deliveries d WHERE d.broadcast_id = broadcasts.id AND d.status = 'failed'),
    uncertain = (SELECT COUNT(*) FROM broadcast_deliveries d WHERE d.broadcast_id = broadcasts.id AND d.status = 'uncertain')
WHERE status IN ('queued', 'sending', 'cancelled');
