"""A local stand-in for WeChat's Official Account platform: a fake ``api.weixin.qq.com`` with its windows and
quotas, and a fake WeChat that signs, encrypts and POSTs followers' messages to the bot (``WechatSandbox``)."""

from sandbox.wechat.sandbox import WechatSandbox

__all__ = ["WechatSandbox"]
