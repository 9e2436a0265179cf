"""One configuration object, loaded once from an explicit TOML path; the environment overrides any key.

``HOTLINE_TELEGRAM__TOKEN=...`` overrides ``[telegram] token``; nested keys join with ``__``.
Nothing is read at import time.
"""

from __future__ import annotations

import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator, model_validator
from pydantic_settings import BaseSettings, EnvSettingsSource, PydanticBaseSettingsSource, SettingsConfigDict

from bot.board.config import BoardConfig
from bot.config.broadcast import OLD_NAMES, BroadcastConfig, District, renamed_sections
from bot.config.casework import BookingConfig, CaseworkConfig
from bot.config.escalation import EscalationConfig
from bot.config.ops import LoggingConfig, OpsConfig
from bot.config.section import Section
from bot.config.utility import UtilityConfig
from bot.config.wechat import WechatConfig
from bot.config.wecom import WeComConfig
from bot.drills.config import DrillsConfig
from bot.key_sites.model import KeySite, KeySiteMatch
from common.errors import ConfigError

Role = Literal["crew", "lead", "dispatcher", "supervisor", "admin"]
StaffChannel = Literal["telegram", "wecom"]  # where a configured member or a crew's group is reached


CONFIGURED_CHANNEL = "telegram"
"""The channel whose ids the configuration uses (staff's ``user_id``, crews' ``group_chat_id``, the
inspection chat): Telegram's, unless a member or a crew's group says ``channel = "wecom"`` (a WeCom userid,
a robot named in ``[wecom] robots``). People on another channel are known by the people table (invites)."""


class TelegramConfig(Section):
    token: SecretStr = SecretStr("")
    base_url: str = "https://api.telegram.org/bot"
    base_file_url: str = "https://api.telegram.org/file/bot"
    poll_timeout_s: int = Field(default=30, ge=0, le=60)
    max_concurrent_updates: int = Field(default=256, ge=1, le=4096)
    connection_pool_size: int = Field(default=64, ge=1, le=1024)
    # the Bot API through a proxy: http://, https:// or socks5:// (credentials in the URL: use the environment,
    # HOTLINE_TELEGRAM__PROXY_URL); empty: HTTPS_PROXY / ALL_PROXY from the environment, as curl reads them
    proxy_url: SecretStr = SecretStr("")
    startup_attempts: int = Field(default=0, ge=0)  # getMe tries at start before giving up (0: keep trying)
    bot_username: str | None = None  # for invite deep links https://t.me/<bot_username>?start=CODE
    # webhook mode (`hotline run --webhook`): the public URL, and where the bot listens behind the proxy
    webhook_url: str = ""
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = Field(default=8443, ge=0, le=65535)
    webhook_secret: SecretStr = SecretStr("")  # from HOTLINE_TELEGRAM__WEBHOOK_SECRET

    @field_validator("proxy_url")
    @classmethod
    def _proxy_scheme(cls, value: SecretStr) -> SecretStr:
        url = value.get_secret_value()
        if url and not url.lower().startswith(("http://", "https://", "socks5://", "socks5h://", "socks4://")):
            raise ValueError("a proxy URL starts with http://, https://, socks5://, socks5h:// or socks4://")
        return value

    @field_validator("base_url", "base_file_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("https://", "http://")):
            raise ValueError(f"{value!r} is not an http:// or https:// URL")
        return value


class StorageConfig(Section):
    path: Path = Path("data/hotline.sqlite3")  # a relative path is relative to the configuration file
    # PostgreSQL instead of the file: the shared store of a leader and its standbys (two machines). The password
    # comes from the environment (PGPASSWORD) or ~/.pgpass, not from this file.
    url: str | None = None

    @field_validator("url")
    @classmethod
    def _postgres_url(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith(("postgresql://", "postgres://")):
            raise ValueError("must be a postgresql:// URL (leave it out for SQLite's file at storage.path)")
        return value


class DispatchConfig(Section):
    ack_timeout_s: int = Field(default=120, ge=10)
    escalation_repeats: int = Field(default=3, ge=0, le=20)
    arrival_target_min: int = Field(default=30, ge=5)
    resolve_target_min: int = Field(default=240, ge=10)
    share_crew_phone: bool = False  # tell the resident the crew member's own number
    map_link: str = "https://uri.amap.com/marker?position={lon},{lat}"  # on a pin-only card; {lat} {lon}
    incident_edit_interval_s: int = Field(default=10, ge=1)  # an incident card is edited at most this often


class OutboundConfig(Section):
    global_rate_per_s: float = Field(default=28.0, gt=0)
    private_burst: int = Field(default=3, ge=1)
    private_rate_per_s: float = Field(default=1.0, gt=0)
    group_rate_per_min: float = Field(default=19.0, gt=0)
    max_attempts: int = Field(default=12, ge=1)
    paid_safety_cards: bool = False  # beyond the free rate, safety cards go as paid broadcasts (Telegram Stars)


class Member(Section):
    user_id: str
    name: str = Field(min_length=1)
    phone: str | None = None
    role: Role = "crew"
    lang: Literal["zh", "en"] = "zh"
    channel: StaffChannel = "telegram"  # "wecom": user_id is the member's WeCom userid

    @field_validator("user_id", mode="before")
    @classmethod
    def _as_text(cls, value: object) -> str:
        return str(value)


class Crew(Section):
    name: str = Field(min_length=1, max_length=40)
    group_chat_id: str | None = None  # group_channel "wecom": the name of its robot in [wecom] robots
    group_channel: StaffChannel = "telegram"
    members: list[Member] = Field(default_factory=list)

    @field_validator("group_chat_id", mode="before")
    @classmethod
    def _chat_as_text(cls, value: object) -> object:
        return None if value is None else str(value)


class RotaConfig(Section):
    """Crews take turns in order, each for ``shift_hours``, starting at ``anchor`` (local time if no zone)."""

    crews: list[str] = Field(default_factory=list)
    shift_hours: int = Field(default=12, ge=1, le=168)
    anchor: datetime = datetime(2026, 1, 1, 8, 0)  # noqa: DTZ001 - local time of the utility


class AreaBox(Section):
    """A rectangle of the service area (WGS-84 degrees)."""

    min_lat: float = Field(ge=-90, le=90)
    max_lat: float = Field(ge=-90, le=90)
    min_lon: float = Field(ge=-180, le=180)
    max_lon: float = Field(ge=-180, le=180)


class AreaCircle(Section):
    """A circle of the service area: centre and radius."""

    lat: float = Field(ge=-90, le=90)
    lon: float = Field(ge=-180, le=180)
    radius_km: float = Field(gt=0)


class IntakeConfig(Section):
    """Resident intake. An empty service area accepts every location."""

    area_boxes: list[AreaBox] = Field(default_factory=list)
    area_circles: list[AreaCircle] = Field(default_factory=list)
    # a resident who saw the safety card and gave no location: asked again once, then the duty dispatcher
    no_location_reask_s: int = Field(default=60, ge=10)
    no_location_desk_s: int = Field(default=120, ge=20)
    heating_months: list[int] = Field(default_factory=lambda: [11, 12, 1, 2, 3])  # local months
    geocoder: str = ""  # name of a registered reverse geocoder (bot.intake.geocode); empty: coordinates and a map link
    duplicate_radius_m: float = Field(default=150.0, ge=0)
    duplicate_window_min: int = Field(default=60, ge=1)
    flood_max_messages: int = Field(default=20, ge=3)
    flood_window_s: int = Field(default=60, ge=5)

    @field_validator("heating_months")
    @classmethod
    def _months(cls, value: list[int]) -> list[int]:
        if any(not 1 <= month <= 12 for month in value):
            raise ValueError("months are 1 to 12")
        return value

    @model_validator(mode="after")
    def _desk_after_reask(self) -> IntakeConfig:
        if self.no_location_desk_s <= self.no_location_reask_s:
            raise ValueError("no_location_desk_s must be later than no_location_reask_s")
        return self


class _FormerNames(BaseSettings):
    """Sections set in the environment under a former name (``HOTLINE_REMINDERS__RATE_PER_S``)."""

    model_config = SettingsConfigDict(env_prefix="HOTLINE_", env_nested_delimiter="__")

    reminders: dict[str, Any] | None = None


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="HOTLINE_", env_nested_delimiter="__", extra="forbid")

    telegram: TelegramConfig = TelegramConfig()
    storage: StorageConfig = StorageConfig()
    utility: UtilityConfig = UtilityConfig()
    dispatch: DispatchConfig = DispatchConfig()
    outbound: OutboundConfig = OutboundConfig()
    crews: list[Crew] = Field(default_factory=list)
    staff: list[Member] = Field(default_factory=list)
    rota: RotaConfig = RotaConfig()
    broadcast: BroadcastConfig = BroadcastConfig()
    districts: list[District] = Field(default_factory=list)
    intake: IntakeConfig = IntakeConfig()
    escalation: EscalationConfig = EscalationConfig()
    casework: CaseworkConfig = CaseworkConfig()
    booking: BookingConfig = BookingConfig()
    ops: OpsConfig = OpsConfig()
    logging: LoggingConfig = LoggingConfig()
    board: BoardConfig = BoardConfig()
    drills: DrillsConfig = DrillsConfig()
    key_sites: list[KeySite] = Field(default_factory=list)
    key_site_match: KeySiteMatch = KeySiteMatch()
    wecom: WeComConfig = WeComConfig()
    wechat: WechatConfig = WechatConfig()

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (env_settings, EnvSettingsSource(_FormerNames), init_settings)

    @model_validator(mode="before")
    @classmethod
    def _former_names(cls, data: Any) -> Any:
        return renamed_sections(data) if isinstance(data, dict) else data

    @model_validator(mode="after")
    def _rota_names_crews(self) -> Settings:
        known = {crew.name for crew in self.crews}
        for name in self.rota.crews:
            if name not in known:
                raise ValueError(f"rota.crews names {name!r}, which is not a configured crew")
        for severity in ("P1", "P2", "P3", "P4"):
            backup = self.escalation.chain(severity).backup_crew
            if backup is not None and backup not in known:
                raise ValueError(f"escalation.{severity}.backup_crew names {backup!r}, which is not a configured crew")
        names = [site.name for site in self.key_sites]
        if len(names) != len(set(names)):
            raise ValueError("key_sites: two key sites have the same name")
        districts = {d.name for d in self.districts}
        for plan in self.booking.plans:
            if plan.district and plan.district not in districts:
                raise ValueError(f"booking.plans: district {plan.district!r} is not in [[districts]]")
        for region in self.utility.regions:
            if region.district is not None and region.district not in districts:
                raise ValueError(
                    f"utility.regions {region.name!r}: district {region.district!r} is not in [[districts]]"
                )
        return self

    @model_validator(mode="after")
    def _wecom_names(self) -> Settings:
        members = [m for crew in self.crews for m in crew.members] + list(self.staff)
        if any(m.channel == "wecom" for m in members) and not self.wecom.enabled:
            raise ValueError('a member is on WeCom (channel = "wecom") but [wecom] corp_id is not set')
        for crew in self.crews:
            if crew.group_channel == "wecom" and crew.group_chat_id not in self.wecom.robots:
                raise ValueError(f"crews {crew.name!r}: group_chat_id must name a robot of [wecom] robots")
        return self

    def staff_channels(self) -> list[str]:
        """The channels whose people the configuration lists (Telegram always; WeCom when configured)."""
        return [CONFIGURED_CHANNEL, *(["wecom"] if self.wecom.enabled else [])]

    def require_token(self) -> str:
        token = self.telegram.token.get_secret_value()
        if not token:
            raise ConfigError(
                "telegram.token: no bot token; set HOTLINE_TELEGRAM__TOKEN in the environment "
                "(tokens are never written to config files in the repository)"
            )
        return token

    def require_webhook_secret(self) -> str:
        """The webhook's secret token (checked on every request); webhook mode refuses to start without it."""
        tg = self.telegram
        if not tg.webhook_url.startswith(("https://", "http://")):
            raise ConfigError("telegram.webhook_url: webhook mode needs the public https:// URL Telegram posts to")
        secret = tg.webhook_secret.get_secret_value()
        if not (1 <= len(secret) <= 256) or not all(c.isascii() and (c.isalnum() or c in "_-") for c in secret):
            raise ConfigError(
                "telegram.webhook_secret: webhook mode needs HOTLINE_TELEGRAM__WEBHOOK_SECRET in the environment "
                "(1-256 characters: A-Z, a-z, 0-9, _ and -)"
            )
        return secret


def _describe(exc: ValidationError, former: dict[str, str]) -> str:
    """The errors, each naming its key as the file spelt it (``former``: a section's name -> the name used)."""
    lines = []
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        key = ".".join([former.get(loc[0], loc[0]), *loc[1:]] if loc else []) or "(file)"
        lines.append(f"{key}: {error['msg']}")
    return "\n".join(lines)


def load_settings(path: Path | None, overrides: dict[str, Any] | None = None) -> Settings:
    """Load settings from ``path`` (None: defaults and environment only); errors name the key."""
    data: dict[str, Any] = {}
    if path is not None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise ConfigError(f"{path}: no such configuration file") from exc
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{path}: not valid TOML ({exc})") from exc
    if overrides:
        data.update(overrides)
    try:
        settings = Settings(**data)
    except ValidationError as exc:
        former = {new: old for old, new in OLD_NAMES.items() if old in data and new not in data}
        raise ConfigError(_describe(exc, former)) from exc
    if path is not None and not settings.storage.path.is_absolute():
        # relative to the configuration file, not to wherever the command happens to be run from
        settings.storage.path = path.resolve().parent / settings.storage.path
    override = settings.utility.content_override
    if path is not None and override is not None and not override.is_absolute():
        settings.utility.content_override = path.resolve().parent / override
    return settings
