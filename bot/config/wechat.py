"""``[wechat]``: the WeChat Official Account (服务号) residents write to; off while ``app_id`` is empty.

The secrets (AppSecret, the server Token, the EncodingAESKey and the previous one) come from the environment:
``HOTLINE_WECHAT__APP_SECRET``, ``HOTLINE_WECHAT__TOKEN``, ``HOTLINE_WECHAT__ENCODING_AES_KEY``,
``HOTLINE_WECHAT__PREVIOUS_AES_KEY``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator

from bot.config.section import Section
from common.errors import ConfigError


class WechatConfig(Section):
    app_id: str = ""  # 开发者ID(AppID); empty: WeChat is off
    app_secret: SecretStr = SecretStr("")  # 开发者密码(AppSecret)
    token: SecretStr = SecretStr("")  # 服务器配置 → 令牌(Token): signs every callback
    encoding_aes_key: SecretStr = SecretStr("")  # 消息加解密密钥(EncodingAESKey), 43 characters
    previous_aes_key: SecretStr = SecretStr("")  # the key before the last change (WeChat may still use it)
    mode: Literal["plain", "compatible", "safe"] = "safe"  # 消息加解密方式: 明文 / 兼容 / 安全模式
    base_url: str = "https://api.weixin.qq.com"  # or the sandbox
    callback_url: str = ""  # 服务器地址(URL) as WeChat calls it (https, behind the reverse proxy)
    listen: str = "127.0.0.1"  # where the callback server listens (the reverse proxy forwards to it)
    port: int = Field(default=8445, ge=0, le=65535)  # beside WeCom's 8444
    status_template_id: str = ""  # a template for ticket status outside the 48-h window; empty: the desk phones
    media_dir: Path = Path("data/wechat_media")  # residents' photos, fetched before WeChat's 3 days run out
    reply_within_s: float = Field(default=4.0, gt=0, lt=5)  # the passive reply's budget (WeChat waits 5 s)

    @field_validator("encoding_aes_key", "previous_aes_key")
    @classmethod
    def _aes_key(cls, value: SecretStr) -> SecretStr:
        key = value.get_secret_value()
        if key and len(key) != 43:
            raise ValueError("an EncodingAESKey has 43 characters")
        return value

    @property
    def enabled(self) -> bool:
        return bool(self.app_id)

    def require(self) -> None:
        """Refuse to start WeChat without what it needs, naming the key."""
        if not self.token.get_secret_value():
            raise ConfigError("wechat.token: set HOTLINE_WECHAT__TOKEN (服务器配置 → 令牌)")
        if not self.app_secret.get_secret_value():
            raise ConfigError("wechat.app_secret: set HOTLINE_WECHAT__APP_SECRET (开发者密码)")
        if self.mode != "plain" and not self.encoding_aes_key.get_secret_value():
            raise ConfigError(
                f"wechat.encoding_aes_key: {self.mode} mode needs HOTLINE_WECHAT__ENCODING_AES_KEY (消息加解密密钥)"
            )
        if not self.callback_url.startswith(("https://", "http://")):
            raise ConfigError(
                "wechat.callback_url: the URL WeChat posts to (服务器地址), e.g. https://hotline.example/wechat"
            )
