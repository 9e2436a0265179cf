-- Reserved for the intake work; filled by its change (no schema yet).
SELECT 1;
