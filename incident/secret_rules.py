"""What redaction looks for: detect-secrets' detectors as data, and warroom's own rules for
the shapes they do not cover (command-line password flags, ``NAME=value`` with a secret
name, cookies, URLs with a password, private-key blocks, newer vendor tokens). Long generated
tokens that no rule names are found by :mod:`incident.secret_tokens`.

Each :class:`Rule` is a regex, the literals one of which must occur in a text (in lower
case) for it to be worth running, and how to find the secret in a match (incident.redact).

Every regex here runs over untrusted log text, up to megabytes at a time, so none may
backtrack without bound: repeats are bounded or possessive, and no unbounded repeat sits
inside another. The detect-secrets patterns left out below are left out for that reason
(or because they would wreck ordinary log text); tests/test_redact_corpus.py runs every
rule over hostile strings.
"""

from __future__ import annotations

import re
import string
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from detect_secrets.core.plugins.util import get_mapping_from_secret_type_to_class
from detect_secrets.plugins.base import BasePlugin, RegexBasedDetector

from incident.secret_names import secret_name

Span = tuple[int, int]


@dataclass(frozen=True)
class Rule:
    name: str
    pattern: re.Pattern[str]
    keywords: tuple[str, ...] | None  # one must occur (lower case); None: no such need
    expand: bool = False  # widen the secret to the whole token it is part of
    spans: Callable[[re.Match[str]], list[Span]] | None = None  # default: group "s"/1/0
    cased: tuple[str, ...] | None = None  # one must occur as written (case-sensitive)
    long_run: int = 0  # needs a run of this many token characters ([A-Za-z0-9+/=_-])


# ------------------------------------------------------------------ detect-secrets' rules
# Left out, with the reason: IPPublicDetector flags every public address in a log (not a
# secret, and the address is what a post-mortem needs). The keyword-shaped detectors for
# Cloudant, IBM Cloud IAM, IBM COS HMAC and SoftLayer nest ` *` and ` +` repeats and take
# minutes over a long run of spaces; NpmDetector's leading `.+` is quadratic over a run of
# slashes. What they find (``cloudant_password = ...``, ``ibm_api_key: ...``,
# ``//registry/:_authToken=...``) is found by warroom's name=value rule below.
# JwtTokenDetector and OpenAIDetector open with an unbounded repeat that a required literal
# follows: quadratic over a long run of their prefix ("eyJeyJ...", "sk-sk-..."); warroom's
# JWT and sk- rules find both shapes.
# PrivateKeyDetector names a key's BEGIN line; warroom's block rule redacts the key itself
# (every line up to its END line), keeping the BEGIN and END lines as context.
DS_LEFT_OUT = {
    "IPPublicDetector",
    "PrivateKeyDetector",
    "CloudantDetector",
    "IbmCloudIamDetector",
    "IbmCosHmacDetector",
    "SoftlayerDetector",
    "NpmDetector",
    "JwtTokenDetector",
    "OpenAIDetector",
}
# What must occur for a detector's patterns to match: literals in lower case, literals as
# written, a run of so many token characters. A detector not named here (a newer detect-secrets)
# runs on every text.
_ANY = None
DS_GATES: dict[str, tuple[tuple[str, ...] | None, tuple[str, ...] | None, int]] = {
    "AWSKeyDetector": (("a3t", "abia", "acca", "akia", "asia", "aws"), _ANY, 0),
    "ArtifactoryDetector": (_ANY, ("AKC", "AP"), 0),
    "AzureStorageKeyDetector": (("accountkey=",), _ANY, 0),
    "BasicAuthDetector": (("://",), _ANY, 0),
    "DiscordBotTokenDetector": (_ANY, _ANY, 23),
    "GitHubTokenDetector": (("ghp_", "gho_", "ghu_", "ghs_", "ghr_"), _ANY, 0),
    "GitLabTokenDetector": (
        (
            "glpat-",
            "gldt-",
            "glft-",
            "glsoat-",
            "glrt-",
            "gr1348941",
            "glcbt-",
            "glimt-",
            "glptt-",
            "glagent-",
            "gloas-",
        ),
        _ANY,
        0,
    ),
    "JwtTokenDetector": (("eyj",), _ANY, 0),
    "MailchimpDetector": (("-us",), _ANY, 32),
    "OpenAIDetector": (("t3blbkfj",), _ANY, 0),
    "PypiTokenDetector": (("pypi-",), _ANY, 0),
    "SendGridDetector": (("sg.",), _ANY, 0),
    "SlackDetector": (("xox", "hooks.slack.com"), _ANY, 0),
    "SquareOAuthDetector": (("sq0csp-",), _ANY, 0),
    "StripeDetector": (("k_live_",), _ANY, 0),
    "TelegramBotTokenDetector": (_ANY, _ANY, 35),
    "TwilioKeyDetector": (_ANY, ("AC", "SK"), 34),
}


def detect_secrets_rules() -> list[Rule]:
    """The denylist patterns of every regex-based detect-secrets plugin but those left out,
    enumerated from the installed version."""
    rules = []
    classes: Iterable[type[BasePlugin]] = get_mapping_from_secret_type_to_class().values()
    for cls in sorted(classes, key=lambda c: c.__name__):
        if not issubclass(cls, RegexBasedDetector) or cls.__name__ in DS_LEFT_OUT:
            continue
        keywords, cased, long_run = DS_GATES.get(cls.__name__, (None, None, 0))
        for n, pattern in enumerate(cls().denylist):
            rules.append(
                Rule(
                    f"detect-secrets {cls.__name__}[{n}]",
                    pattern,
                    keywords,
                    expand=True,
                    cased=cased,
                    long_run=long_run,
                )
            )
    return rules


# ------------------------------------------------------------------ warroom's own rules
_NAME_KEYWORDS = (
    "pass",
    "pwd",
    "pw",
    "secret",
    "token",
    "key",
    "auth",
    "cookie",
    "sig",
    "cred",
    "session",
    "sid",
    "dsn",
    "otp",
    "jwt",
    "csrf",
    "xsrf",
    "bearer",
    "webhook",
    "connectionstring",
    "connection_string",
    "connection-string",
    "connstr",
    "conn_str",
    "contrase",
    "sas",
)
_CLOSERS = re.compile(r"[\"'\]]{1,2}$")
_NAME_CHARS = frozenset(string.ascii_letters + string.digits + "_.-")
# name=value, "name": "value", --flag value: found from a keyword of a secret name (so that
# the regex starts with a literal), the whole name read back from it by _named_value
_NAMED = re.compile(
    r"(?i:" + "|".join(_NAME_KEYWORDS) + r")[\w.\-]{0,63}+[\"'\]]{0,2}+"
    r"(?P<sep>[ \t]{0,3}+(?:=>|:=|::|=|:)[ \t]{0,3}+|[ \t]{1,3}+(?![\-<>|&;\s]))"
    r"(?:(?i:basic|bearer|token|digest|negotiate|ntlm|oauth|apikey|ssws|splunk)[ \t]{1,3}+)?"
)
# the value after a secret name: quoted, or up to a space, quote, ',', ';' or '&name='
_VALUE = re.compile(
    r"(?P<s>\"(?:[^\"\\\n]|\\.){0,4096}+\"?|'(?:[^'\\\n]|\\.){0,4096}+'?"
    r"|(?:[^\s\"',;&<>]|&(?![\w.\-]{1,64}+=)){1,4096}+)"
)
MARK = "[REDACTED]"


def _quoted_inside(m: re.Match[str]) -> Span:
    start, end = m.span("s")
    value = m.group("s")
    if value[:1] in "\"'":
        start += 1
        if len(value) > 1 and value[-1] == value[0]:
            end -= 1
    return start, end


def _named_value(m: re.Match[str]) -> list[Span]:
    """The value after a name with a secret word in it; the name is read back from the
    keyword the regex found, and the value read only when the name is secret."""
    text = m.string
    start = m.start()
    while start > 0 and text[start - 1] in _NAME_CHARS:
        start -= 1
    name = _CLOSERS.sub("", text[start : m.start("sep")])
    flag = name.startswith("-")
    if flag and start > 0 and not text[start - 1].isspace():
        return []
    if not secret_name(name.lstrip("-")):
        return []
    value = _VALUE.match(text, m.end())
    if value is None:
        return []
    if not m.group("sep").strip() and not flag and value.group()[:1] not in "\"'":
        return []  # "name value" only for a --flag, or a quoted value: not prose
    start, end = _quoted_inside(value)
    found = text[start:end]
    if not found or MARK in found or found == "[masked]" or set(found) <= {"*"}:
        return []
    return [(start, end)]


def _url_password(m: re.Match[str]) -> list[Span]:
    """The password of ``scheme://user:password@host``: the user may be empty, and the
    password may hold ``/``, ``:`` and ``@`` (the host follows the last ``@``)."""
    rest = m.group("rest")
    at = rest.rfind("@")
    if at <= 0:
        return []
    userinfo = rest[:at]
    colon = userinfo.find(":")
    if colon < 0 or any(c in userinfo[:colon] for c in "/?#") or colon + 1 == at:
        return []
    if MARK in userinfo[colon + 1 :]:
        return []
    base = m.start("rest")
    return [(base + colon + 1, base + at)]


def _group_s(m: re.Match[str]) -> list[Span]:
    start, end = _quoted_inside(m)
    if start >= end or MARK in m.string[start:end]:
        return []
    return [(start, end)]


def _basic_credentials(m: re.Match[str]) -> list[Span]:
    s = m.group("s")
    if any(c.isdigit() or c in "+/=" for c in s) or any(c.isupper() for c in s[1:]):
        return [m.span("s")]
    return []


_PW_KEYWORDS = (
    *("mysql", "mariadb", "sshpass", "mongo", "docker", "podman", "nerdctl", "buildah"),
    *("skopeo", "oc login", "oc\tlogin"),
)


def _option(m: re.Match[str]) -> list[Span]:
    at = m.start()
    if at > 0 and not m.string[at - 1].isspace():
        return []  # -u inside a word
    return _group_s(m)


_PW_COMMANDS = (
    r"\b(?:mysql\w{0,20}+|mariadb[\w\-]{0,20}+|sshpass|mongo\w{0,20}+"
    r"|(?:docker|podman|nerdctl|buildah|skopeo|oc)[ \t]{1,3}+login)\b"
)


# Token shapes detect-secrets does not know (or knows too narrowly): name, regex, keywords.
_T = "A-Za-z0-9_\\-"
# Each starts where a token starts (not inside a run of token characters: a failed try would
# scan the run again from every position).
_START = r"(?<![A-Za-z0-9_\-])"
_TOKENS: list[tuple[str, str, tuple[str, ...]]] = [
    ("Slack app or user token", rf"\bx(?:app|ox[abposre])-[{_T}]{{10,400}}+", ("xapp-", "xox")),
    ("webhook signing secret", r"\bwhsec_[A-Za-z0-9+/=]{16,400}+", ("whsec_",)),
    ("OpenAI/Anthropic key", rf"sk-(?=[{_T}]{{0,400}}\d)[{_T}]{{20,400}}+", ("sk-",)),
    ("Stripe key", r"\b[srp]k_(?:live|test)_[A-Za-z0-9]{10,250}+", ("k_live_", "k_test_")),
    (
        "GitHub token",
        r"\bgh[pousr]_[A-Za-z0-9_]{30,255}+",
        ("ghp_", "gho_", "ghu_", "ghs_", "ghr_"),
    ),
    ("GitHub fine-grained token", r"\bgithub_pat_[A-Za-z0-9_]{30,255}+", ("github_pat_",)),
    ("Google API key", r"AIza[0-9A-Za-z_\-]{35}", ("aiza",)),
    ("Google OAuth token", r"\bya29\.[0-9A-Za-z_\-]{20,4000}+", ("ya29.",)),
    ("npm token", r"\bnpm_[A-Za-z0-9]{36}", ("npm_",)),
    ("Vault token", r"\bhv[sbr]\.[A-Za-z0-9_\-]{20,400}+", ("hvs.", "hvb.", "hvr.")),
    ("DigitalOcean token", r"\bdop_v1_[a-f0-9]{64}", ("dop_v1_",)),
    ("Shopify token", r"\bshp(?:at|ss|ca|pa)_[a-fA-F0-9]{32}", ("shp",)),
    ("Databricks token", r"\bdapi[a-f0-9]{32}", ("dapi",)),
    ("Brevo key", r"\bxkeysib-[a-f0-9]{64}", ("xkeysib-",)),
    ("Linear key", r"\blin_api_[A-Za-z0-9]{40}", ("lin_api_",)),
    ("Atlassian token", r"\bATATT[A-Za-z0-9_\-=]{20,400}+", ("atatt",)),
    ("Mailgun key", r"\bkey-[0-9a-f]{32}", ("key-",)),
    ("Grafana token", r"\bglsa_[A-Za-z0-9_]{32,64}+", ("glsa_",)),
    ("Sentry token", r"\bsntrys_[A-Za-z0-9+/=_]{40,400}+", ("sntrys_",)),
    (
        "JSON web token",
        r"\beyJ[A-Za-z0-9_\-]{8,4000}+\.eyJ[A-Za-z0-9_\-]{2,8000}+\.[A-Za-z0-9_\-]{0,4000}+",
        ("eyj",),
    ),
]


def own_rules() -> list[Rule]:
    c = re.compile
    return [
        Rule(
            "private key block",
            c(
                r"-{4,5} ?BEGIN[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}(?P<s>[\s\S]*?)"
                r"(?:-{4,5} ?END[ A-Z0-9]{0,40}PRIVATE KEY(?: BLOCK)? ?-{4,5}|\Z)"
            ),
            ("private key",),
            spans=_group_s,
        ),
        Rule(
            "URL with a password",
            c(r"://(?P<rest>[^\s\"'<>`]{1,4096}+)"),
            ("://",),
            spans=_url_password,
        ),
        Rule(
            "Slack webhook",
            c(
                r"(?i)hooks\.slack\.com/(?:services|workflows|triggers)/(?P<s>[A-Za-z0-9_/\-]{8,400}+)"
            ),
            ("hooks.slack.com",),
        ),
        Rule(
            "Discord webhook",
            c(r"(?i)discord(?:app)?\.com/api/webhooks/(?P<s>[0-9]{5,30}+/[A-Za-z0-9_\-]{20,200}+)"),
            ("discord",),
        ),
        *(
            Rule(name, c(_START + regex.removeprefix(r"\b")), keywords, expand=True)
            for name, regex, keywords in _TOKENS
        ),
        Rule(
            "cookie header",
            c(
                r"(?i)(?<![\w\-])(?:set-)?cookie2?[\"']?[ \t]{0,3}+[:=][ \t]{0,3}+[\"']?"
                r"(?P<s>[^\r\n\"']{1,8192}+)"
            ),
            ("cookie",),
            spans=_group_s,
        ),
        Rule(
            "bearer token",
            c(r"(?i)\bbearer[ \t]{1,3}+(?P<s>[A-Za-z0-9._~+/=\-]{8,8192}+)"),
            ("bearer",),
            spans=_group_s,
        ),
        Rule(
            "basic credentials",
            c(r"(?i)\bbasic[ \t]{1,3}+(?P<s>[A-Za-z0-9+/]{8,8192}+={0,2})"),
            ("basic",),
            spans=_basic_credentials,
        ),
        Rule(
            "password flag of a client",
            c(
                _PW_COMMANDS + r"[^\n|;&]{0,512}?(?<=[ \t])-p[ \t]{0,3}+(?P<s>'[^'\n]{0,1024}+'?"
                r"|\"[^\"\n]{0,1024}+\"?|[^\s\-'\"][^\s]{0,1023}+)"
            ),
            _PW_KEYWORDS,
            spans=_group_s,
        ),
        Rule(
            "redis-cli password",
            c(r"\bredis-cli\b[^\n|;&]{0,512}?(?<=[ \t])-a[ \t]{1,3}+(?P<s>[^\s\-][^\s]{0,1023}+)"),
            ("redis-cli",),
            spans=_group_s,
        ),
        Rule(
            "user:password option",
            c(
                r"-(?:-basic-auth|-proxy-user|-user|-auth|[uUa])(?:=|[ \t]{0,3}+)"
                r"[\"']?[^\s:\"']{0,256}+:(?P<s>[^\s\"']{1,1024}+)"
            ),
            (" -u", " -a", "--user", "--proxy-user", "--auth", "--basic-auth"),
            spans=_option,
        ),
        Rule(
            "SQL password",
            c(
                r"(?i)\bidentified[ \t]{1,3}+by[ \t]{1,3}+(?:password[ \t]{1,3}+)?"
                r"(?P<s>'[^'\n]{0,1024}+'?|\"[^\"\n]{0,1024}+\"?)"
            ),
            ("identified",),
            spans=_group_s,
        ),
        Rule(
            ".netrc password",
            c(
                r"(?i)\bmachine[ \t]{1,3}+\S{1,256}+(?:[ \t]{1,3}+login[ \t]{1,3}+\S{1,256}+)?"
                r"[ \t]{1,3}+password[ \t]{1,3}+(?P<s>\S{1,1024}+)"
            ),
            ("machine",),
            spans=_group_s,
        ),
        Rule(
            "name=value, --flag value with a secret name",
            _NAMED,
            _NAME_KEYWORDS,
            spans=_named_value,
        ),
    ]
