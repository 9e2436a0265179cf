-- A crew's group chat lives on a channel of its own, like every person's account: its messages go there,
-- whatever channel the ticket came in on. Groups configured so far are Telegram groups.
ALTER TABLE crews ADD COLUMN group_channel TEXT NOT NULL DEFAULT 'telegram';
