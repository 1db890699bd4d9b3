"""Whether a name (a variable, a field, a header, a command-line flag) holds a secret.

detect-secrets' keyword list (password, passwd, pwd, secret, api_key, ...) taken as data,
and warroom's own words (token, key, auth, cookie, sig, session, credential, ...), each as
a word of the name: ``\\b`` does not fire between ``_`` and a letter, so ``DD_API_KEY``,
``LDAP_BIND_PW`` and ``_authToken`` are read word by word (CamelCase too).
"""

from __future__ import annotations

import re

from detect_secrets.plugins.keyword import DENYLIST as DS_KEYWORDS

_DS_NAME = re.compile("|".join(DS_KEYWORDS))  # password, passwd, pwd, secret, api_?key, ...
_OWN_NAME = re.compile(
    r"passphrase|passcode|passkey|credential|cookie|signature|authori[sz]ation|webhook"
    r"|connection_?string|conn_?str|(?:access|master|signing|encryption|hmac|licen[cs]e"
    r"|app|session|ssh|storage|shared_?access|secret|sas)_?key|(?:user|root|admin)_?pass"
)
_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
_SECRET_PARTS = frozenset(
    {
        "pw",
        "pass",
        "key",
        "token",
        "auth",
        "oauth",
        "sig",
        "sas",
        "session",
        "sessionid",
        "sid",
        "dsn",
        "cred",
        "creds",
        "otp",
        "jwt",
        "csrf",
        "xsrf",
        "bearer",
        "apikey",
        "authtoken",
        "accesstoken",
        "refreshtoken",
        "idtoken",
        "privatekey",
        "secretkey",
        "accesskey",
    }
)


def secret_name(name: str) -> bool:
    """Whether a variable, field, header or flag of this name holds a secret: its name has
    one of detect-secrets' keywords (password, pwd, secret, api_key, ...) or one of
    warroom's (token, key, auth, cookie, sig, session, credential, ...) as a word of it
    (``DD_API_KEY``, ``_authToken``, ``LDAP_BIND_PW``, ``X-Amz-Signature``)."""
    low = name.lower()
    if _DS_NAME.search(low) or _OWN_NAME.search(low.replace("-", "_")):
        return True
    return any(p.lower() in _SECRET_PARTS for p in _PARTS.findall(name))
