"""The confirmation e-mail as a mail client reads it: encoded once, filled per request."""

from __future__ import annotations

import email
import email.policy

from newsletter.deliver.audience.confirmations import ConfirmationTemplate
from newsletter.render.confirmation import render_confirmation

URL = "https://newsletter.krakow.example/confirm/12-1796032853-NoChGPUgNTj-kn5FcPQrNw?lang=pl"


def test_a_confirmation_parses_with_its_link_in_both_parts(project):
    template = ConfirmationTemplate(project.site, render_confirmation(project, "pl"))
    data = template.message("zaneta@żółw.pl", "Żaneta Łęcka", URL)
    assert all(len(line) <= 998 for line in data.split(b"\r\n"))
    assert b"\n" not in data.replace(b"\r\n", b"")
    message = email.message_from_bytes(data, policy=email.policy.default)
    assert message["Subject"] == "Prosimy potwierdzić zapis na Business Kraków"
    assert message["To"].addresses[0].display_name == "Żaneta Łęcka"
    assert message["To"].addresses[0].domain == "xn--w-uga1v8h.pl"
    assert message["Auto-Submitted"] == "auto-generated" and message["Content-Language"] == "pl"
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    assert f"Potwierdzam zapis: {URL}" in text
    assert f'href="{URL.replace("&", "&amp;")}"' in html
    assert "%%confirm_url%%" not in text + html
    again = email.message_from_bytes(template.message("a@example.com", None, URL))
    assert again["Message-ID"] != message["Message-ID"]
