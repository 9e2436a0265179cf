"""``[wecom]``: crews and staff on WeCom (企业微信), an app of the utility's WeCom.

Off while ``corp_id`` is empty. The secrets (``secret``, ``token``, ``encoding_aes_key``, the robots' keys)
come from the environment (``HOTLINE_WECOM__SECRET`` ...), never from a file in the repository.
"""

from __future__ import annotations

from pydantic import Field, SecretStr, field_validator

from bot.config.section import Section


class WeComConfig(Section):
    corp_id: str = ""  # 企业ID (My Company -> Company Information); empty: WeCom is off
    agent_id: int = 0  # the app's AgentId
    secret: SecretStr = SecretStr("")  # the app's Secret
    token: SecretStr = SecretStr("")  # the callback's Token (接收消息 -> API接收)
    encoding_aes_key: SecretStr = SecretStr("")  # the callback's EncodingAESKey (43 characters)
    base_url: str = "https://qyapi.weixin.qq.com"  # the API (the sandbox's address in the demo and tests)
    callback_url: str = ""  # the public URL WeCom POSTs to (reverse proxy -> callback_listen)
    callback_listen: str = "127.0.0.1:8444"  # polling: the callback's own server (HOST:PORT); --webhook: unused
    trusted_ip: str = ""  # the server's public IP, as entered in the app's 企业可信IP (shown by hotline wecom check)
    robots: dict[str, SecretStr] = Field(default_factory=dict)  # crew group robots: name -> the webhook's key

    @property
    def enabled(self) -> bool:
        return bool(self.corp_id)

    @field_validator("encoding_aes_key")
    @classmethod
    def _key_43(cls, value: SecretStr) -> SecretStr:
        if value.get_secret_value() and len(value.get_secret_value()) != 43:
            raise ValueError("the EncodingAESKey has 43 characters")
        return value

    @field_validator("callback_listen")
    @classmethod
    def _host_port(cls, value: str) -> str:
        host, sep, port = value.rpartition(":")
        if not sep or not host or not port.isdigit() or not 0 <= int(port) <= 65535:
            raise ValueError(f"{value!r} is not HOST:PORT (e.g. 127.0.0.1:8444)")
        return value
