-- Reserved for the reliability work; filled by its change (no schema yet).
SELECT 1;
