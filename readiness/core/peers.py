"""Whom each trust section's sender sends its token to ([server]: a PC to its site server,
[upstream]: a site to its branch server): the words the settings' help and core.tls's messages
both name the peer with, written once below both."""

from __future__ import annotations

from readiness.core.i18n import Text

TRUST_PEERS = {"server": Text("the site server", "考点服务器"), "upstream": Text("the branch server", "分部服务器")}
