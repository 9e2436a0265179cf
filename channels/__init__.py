"""Channel adapters beside Telegram's (handlers/): the WeChat Official Account for residents, WeCom for crews."""
