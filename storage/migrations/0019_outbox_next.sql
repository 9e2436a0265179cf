-- The outbox worker's poll (storage/outbox.py OutboxRepo.due): the most urgent, oldest pending rows, read in
-- index order and stopped at the batch's size. The former index (status, next_attempt_at, priority) made it
-- read and sort every pending row at each poll: in a surge, thousands of crew cards waiting for their chats.
DROP INDEX outbox_due;
CREATE INDEX outbox_next ON outbox (status, priority, id, chat, next_attempt_at);
