"""WeCom (企业微信) as a channel for crews and staff: the encrypted callback in, app messages and template
cards out, the group robot for crew groups; a thin aiohttp client of ``qyapi``."""
