-- Reserved for the dispatcher's desk work; filled by its change (no schema yet).
SELECT 1;
