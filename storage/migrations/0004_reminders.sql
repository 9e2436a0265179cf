-- Reserved for the reminders work; filled by its change (no schema yet).
SELECT 1;
