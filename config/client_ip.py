"""The client's address for django-axes (its AXES_CLIENT_IP_CALLABLE setting)."""

import ipaddress

from django.conf import settings


def _address(text: str) -> str | None:
    try:
        return str(ipaddress.ip_address(text.strip()))
    except ValueError:
        return None


def client_ip_address(request) -> str:
    """The address of whoever sent the request, seen through CLIENT_IP_PROXY_COUNT proxies.

    Each trusted proxy appends the address it received the request from to X-Forwarded-For, so
    behind N proxies the client is the N-th entry from the right, and the last proxy is
    REMOTE_ADDR. Entries further left were written by the client and can say anything: they are
    never read. Without proxies, or when the header has fewer entries than there are proxies
    (the request did not come through them all), REMOTE_ADDR is the address.
    """
    remote_addr = request.META.get("REMOTE_ADDR", "")
    proxies = settings.CLIENT_IP_PROXY_COUNT
    if proxies:
        entries = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if len(entries) >= proxies:
            address = _address(entries[-proxies])
            if address is not None:
                return address
    return remote_addr
