"""How sign-in logs name things, and the Graph values the engine reads.

The sign-in logs write authentication methods, client apps, device trust types and
operating systems as the Entra admin center displays them ("Mobile app
notification", "Mobile Apps and Desktop clients", "Microsoft Entra joined",
"Windows 10"). These tables map each display name (compared case-insensitively,
whole string) to Graph's value: ``authenticationMethodModes``,
``conditionalAccessClientApp``, ``deviceDetail.trustType`` as the device filter
reads it, and ``conditionalAccessDevicePlatform``. A Graph value is accepted as
itself. ``docs/replay.md`` prints the same tables.

A display name that names no single Graph value (``"OATH verification code"`` is a
hardware or a software token; ``"Previously satisfied"`` is an earlier sign-in whose
methods the record does not list) is *ambiguous*: the step is left out of the
session's evidence and the fact is reported as lacking, never guessed.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Final

__all__ = [
    "AMBIGUOUS_METHODS",
    "CLIENT_APPS",
    "METHODS",
    "OPERATING_SYSTEMS",
    "TRANSFER_METHODS",
    "TRUST_TYPES",
    "USER_TYPES",
]


def __dir__() -> list[str]:
    return __all__


def _table(pairs: dict[str, str]) -> MappingProxyType[str, str]:
    table = {k.casefold(): v for k, v in pairs.items()}
    table.update({v.casefold(): v for v in pairs.values()})
    return MappingProxyType(table)


METHODS: Final = _table({
    "Password": "password",
    "Text message": "sms",
    "SMS": "sms",
    "SMS Sign-in": "sms",
    "Phone call": "voice",
    "Voice": "voice",
    "Mobile app notification": "microsoftAuthenticatorPush",
    "Authenticator App": "microsoftAuthenticatorPush",
    "Microsoft Authenticator App": "microsoftAuthenticatorPush",
    "Mobile app verification code": "softwareOath",
    "Software OATH token": "softwareOath",
    "Hardware OATH token": "hardwareOath",
    "FIDO2 security key": "fido2",
    "Passkey (device-bound)": "fido2",
    "Passkey (Microsoft Authenticator)": "fido2",
    "Windows Hello for Business": "windowsHelloForBusiness",
    "Passwordless phone sign-in": "deviceBasedPush",
    "Microsoft Authenticator (passwordless)": "deviceBasedPush",
    "Email verification code": "email",
    "Email OTP": "email",
    "QR code": "qrCodePin",
    "Temporary Access Pass (one-time)": "temporaryAccessPassOneTime",
    "Temporary Access Pass (multi-use)": "temporaryAccessPassMultiUse",
    "X.509 Certificate (single-factor)": "x509CertificateSingleFactor",
    "X.509 Certificate (multifactor)": "x509CertificateMultiFactor",
    "Federated single-factor": "federatedSingleFactor",
    "Federated multifactor": "federatedMultiFactor",
})
"""``authenticationDetails[].authenticationMethod`` -> ``authenticationMethodModes``."""

AMBIGUOUS_METHODS: Final = frozenset(m.casefold() for m in (
    "OATH verification code",  # hardware or software token
    "Temporary Access Pass",  # one-time or multi-use
    "Certificate",  # single-factor or multifactor
    "X.509 Certificate",
    "Previously satisfied",  # an earlier sign-in; its methods and time are not listed
    "Satisfied by token",
    "Claim in the token",
    "Claim in the token from external identity provider",
))
"""Method display names that name no single Graph value: lacking facts, never guessed."""

CLIENT_APPS: Final = _table({
    "Browser": "browser",
    "Mobile Apps and Desktop clients": "mobileAppsAndDesktopClients",
    "Exchange ActiveSync": "exchangeActiveSync",
    "Exchange Active Sync": "exchangeActiveSync",
    "Authenticated SMTP": "other",
    "AutoDiscover": "other",
    "Exchange Online PowerShell": "other",
    "Exchange Web Services": "other",
    "IMAP4": "other",
    "IMAP": "other",
    "MAPI Over HTTP": "other",
    "Offline Address Book": "other",
    "Other clients": "other",
    "Outlook Anywhere (RPC over HTTP)": "other",
    "POP3": "other",
    "POP": "other",
    "Reporting Web Services": "other",
    "SMTP": "other",
    "Universal Outlook": "other",
})
"""``clientAppUsed`` -> ``conditionalAccessClientApp`` (legacy protocols are ``other``)."""

TRUST_TYPES: Final = _table({
    "Microsoft Entra joined": "AzureAD",
    "Azure AD joined": "AzureAD",
    "Microsoft Entra hybrid joined": "ServerAD",
    "Hybrid Azure AD joined": "ServerAD",
    "Domain Joined": "ServerAD",
    "Microsoft Entra registered": "Workplace",
    "Azure AD registered": "Workplace",
    "Workplace Joined": "Workplace",
})
"""``deviceDetail.trustType`` -> the device filter's ``trustType``."""

OPERATING_SYSTEMS: Final = (
    ("windows phone", "windowsPhone"),
    ("windows", "windows"),
    ("ios", "iOS"),
    ("ipados", "iOS"),
    ("macos", "macOS"),
    ("mac os", "macOS"),
    ("android", "android"),
    ("linux", "linux"),
    ("ubuntu", "linux"),
)
"""``deviceDetail.operatingSystem`` prefix (``"Windows 10"``, ``"Ios 17.1"``) ->
``conditionalAccessDevicePlatform``; first match wins. Anything else leaves the
platform unknown (undetermined)."""

TRANSFER_METHODS: Final = _table({
    "deviceCodeFlow": "deviceCodeFlow",
    "authenticationTransfer": "authenticationTransfer",
})
"""``originalTransferMethod`` -> ``authenticationFlow.transferMethod`` (``none`` is none)."""

USER_TYPES: Final = _table({"member": "member", "guest": "guest"})
"""``userType`` (``signInUserType``)."""
