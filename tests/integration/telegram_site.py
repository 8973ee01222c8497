"""A stand-in for t.me on 127.0.0.1: channel preview pages in the markup Telegram serves at
``https://t.me/s/<channel>`` (class names as public projects that parse these pages read
them: tgme_channel_info_header_title, tgme_widget_message with data-post,
tgme_widget_message_text, tgme_widget_message_forwarded_from_name,
tgme_widget_message_reply, <time datetime>, tme_messages_more with data-before), 20 posts a
page, newest last, ``?before=N`` for older ones. Posts can be added, edited and deleted
between fetches.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.integration.servers import LocalSite, respond

PAGE = 20
ARTICLE = [
    "Военкоматы Бурятии раздают повестки у проходных авиационного и локомотивного заводов.",
    "Сотрудники военкомата дежурят у ворот с семи утра и вручают бумаги каждому мужчине,"
    " который выходит после смены.",
    "Профсоюз завода заявил, что руководство предприятия передало военкомату списки"
    " работников ещё в сентябре.",
    "Правительство республики назвало происходящее плановой сверкой воинского учёта и"
    " пообещало, что отправки на фронт не будет.",
    "Жёны рабочих говорят, что за неделю повестки получили не меньше двухсот человек.",
]


@dataclass
class TgPost:
    id: int
    text: str | None  # None: a photo with no caption
    kind: str = "text"  # text | media | service
    forwarded_from: str | None = None
    reply_to: int | None = None
    when: datetime = field(default_factory=lambda: datetime.now(UTC) - timedelta(hours=1))


@dataclass
class Channel:
    name: str
    title: str
    posts: dict[int, TgPost] = field(default_factory=dict)
    broken: bool = False  # the markup lost its classes

    def add(self, post: TgPost) -> None:
        self.posts[post.id] = post


def _post_html(channel: str, p: TgPost, broken: bool) -> str:
    cls = (lambda c: "") if broken else (lambda c: f' class="{c}"')
    parts = []
    if p.forwarded_from:
        parts.append(
            f"<div{cls('tgme_widget_message_forwarded_from accent_color')}>Forwarded from "
            f'<a{cls("tgme_widget_message_forwarded_from_name")} href="https://t.me/{p.forwarded_from}/1">'
            f'<span dir="auto">{html.escape(p.forwarded_from)}</span></a></div>'
        )
    if p.reply_to:
        parts.append(
            f'<a{cls("tgme_widget_message_reply")} href="https://t.me/{channel}/{p.reply_to}">'
            f"<div{cls('tgme_widget_message_text js-message_reply_text')}>earlier post</div></a>"
        )
    if p.kind == "media":
        parts.append(
            f'<a{cls("tgme_widget_message_photo_wrap")} style="background-image:url(x.jpg)"></a>'
        )
    elif p.kind == "service":
        parts.append(f"<div{cls('message_media_not_supported_label')}>Channel photo updated</div>")
    if p.text is not None and p.kind == "text":
        parts.append(
            f'<div{cls("tgme_widget_message_text js-message_text")} dir="auto">{p.text}</div>'
        )
    parts.append(
        f"<div{cls('tgme_widget_message_footer compact js-message_footer')}>"
        f"<span{cls('tgme_widget_message_views')}>1.2K</span>"
        f'<a{cls("tgme_widget_message_date")} href="https://t.me/{channel}/{p.id}">'
        f'<time datetime="{p.when.isoformat()}" class="time">{p.when:%H:%M}</time></a></div>'
    )
    service = " service_message" if p.kind == "service" else ""
    return (
        f"<div{cls('tgme_widget_message_wrap js-widget_message_wrap')}>"
        f"<div{cls('tgme_widget_message text_not_supported_wrap js-widget_message' + service)}"
        f' data-post="{channel}/{p.id}"><div{cls("tgme_widget_message_bubble")}>'
        + "".join(parts)
        + "</div></div></div>"
    )


def page_html(ch: Channel, before: int | None, per_page: int = PAGE) -> str:
    ids = sorted(i for i in ch.posts if before is None or i < before)[-per_page:]
    more = (
        f'<a class="tme_messages_more js-messages_more" data-before="{ids[0]}"'
        f' href="/s/{ch.name}?before={ids[0]}"></a>'
        if ids and ids[0] > 1
        else ""
    )
    posts = "".join(_post_html(ch.name, ch.posts[i], ch.broken) for i in ids)
    return (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        f"{html.escape(ch.title)} – Telegram</title></head><body>"
        f'<div class="tgme_channel_info"><div class="tgme_channel_info_header_title">'
        f'<span dir="auto">{html.escape(ch.title)}</span></div></div>'
        f'<section class="tgme_channel_history js-message_history">{more}{posts}</section>'
        "</body></html>"
    )


class TelegramSite(LocalSite):
    """t.me on a free loopback port. ``channels`` by name; a name in ``private`` redirects to
    its join page as t.me does; any other unknown name is a 404."""

    def __init__(self) -> None:
        self.channels: dict[str, Channel] = {}
        self.private: set[str] = set()
        self.per_page = PAGE
        self.rewrite: dict[str, str] = {}  # substitutions applied to every preview page
        super().__init__()

    def channel(self, name: str, title: str) -> Channel:
        self.channels[name] = Channel(name, title)
        return self.channels[name]

    def route(self, h: BaseHTTPRequestHandler) -> None:
        parts = urlsplit(h.path)
        if parts.path == "/robots.txt":
            return respond(h, 200, b"User-agent: *\nAllow: /\n", "text/plain")
        if parts.path.startswith("/s/"):
            name = parts.path[3:]
            if name in self.private:
                h.send_response(302)
                h.send_header("Location", f"/{name}")
                h.send_header("Content-Length", "0")
                h.end_headers()
                return None
            ch = self.channels.get(name)
            if ch is None:
                return respond(h, 404, b"not found", "text/plain")
            before = parse_qs(parts.query).get("before", [None])[0]
            # surrogatepass: a lone surrogate goes out as the invalid bytes a broken server sends
            page = page_html(ch, int(before) if before else None, self.per_page)
            for old, new in self.rewrite.items():
                page = page.replace(old, new)
            body = page.encode("utf-8", "surrogatepass")
            return respond(h, 200, body, "text/html; charset=utf-8")
        if parts.path == "/news/1":  # an article a post links to, and another quotes
            text = "".join(f"<p>{p}</p>" for p in ARTICLE)
            body = (
                "<html lang='ru'><head><meta charset='utf-8'><title>Повестки у проходных</title>"
                f"</head><body><article><h1>Повестки у проходных</h1>{text}</article></body></html>"
            ).encode()
            return respond(h, 200, body, "text/html; charset=utf-8")
        if parts.path.strip("/") in self.private:
            body = (
                b'<html><body><div class="tgme_page_title">Private</div>Join channel</body></html>'
            )
            return respond(h, 200, body, "text/html; charset=utf-8")
        return respond(h, 404, b"not found", "text/plain")
