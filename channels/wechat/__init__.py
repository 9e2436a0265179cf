"""The WeChat Official Account (服务号) as a channel for residents: the callback (signature, safe mode, the
durable inbox, the passive reply), customer-service and template messages within WeChat's windows, numbered
choices for buttons, the API client, and the operator's menu and checks."""
