-- Reserved for the crews work; filled by its change (no schema yet).
SELECT 1;
