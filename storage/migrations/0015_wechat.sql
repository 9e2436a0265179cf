-- Reserved for the WeChat Official Account's tables (the wechat branch brings them): migrations are numbered
-- without gaps, and WeCom's come next (0016). When both are merged, this placeholder gives way to that file.
SELECT 1;
