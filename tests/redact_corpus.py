"""The redaction corpus: secret shapes by class, each with the values that must not leave
warroom, and harmless log lines that must come through unchanged.

Issue #16 placed 44 shapes in notes, evidence, comms, a source command, captured output
and the environment; each class it named is here, with more than one shape where the class
has several. The values are made up (the well-known AWS examples among them).
"""

from __future__ import annotations

# (class, text, values that must not survive)
SECRETS: list[tuple[str, str, tuple[str, ...]]] = [
    # vendor tokens
    ("aws key id", "key id AKIAIOSFODNN7EXAMPLE leaked", ("AKIAIOSFODNN7EXAMPLE",)),
    ("aws sts key id", "AWS_ACCESS_KEY_ID ASIAY34FZKBOKMUTVV7A in use", ("ASIAY34FZKBOKMUTVV7A",)),
    ("aws secret key bare", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", ("wJalrXUtnFEMI",)),
    (
        "aws secret key named",
        "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ("wJalrXUtnFEMI", "bPxRfiCY"),
    ),
    ("github token", "token ghp_16C7e42F292c6912E7710c838347Ae178B4a in log", ("ghp_16C7e42F",)),
    (
        "github fine-grained",
        "github_pat_11ABCDEFG0123456789_abcdefghijklmnopqrstuv",
        ("11ABCDEFG0123456789",),
    ),
    ("gitlab token", "export GL=glpat-xY9zW8vU7tS6rQ5pO4nM", ("xY9zW8vU7tS6rQ5pO4nM",)),
    ("slack bot token", "slack xoxb-123456789012-abcdefABCDEF", ("123456789012-abcdef",)),
    (
        "slack app token",
        "SLACK_APP=xapp-1-A0123456789-1234567890123-0a1b2c3d4e5f60718293a4b5c6d7e8f9",
        ("A0123456789-1234567890123",),
    ),
    (
        "slack webhook",
        "posting to https://hooks.slack.com/services/T0ABCDEFG/B0HIJKLMN/aBcDeFgHiJkLmNoPqRsTuVwX",
        ("aBcDeFgHiJkLmNoPqRsTuVwX", "B0HIJKLMN"),
    ),
    ("stripe key", "stripe sk_live_4eC39HqLyjWDarjtT1zdp7dc", ("4eC39HqLyjWDarjtT1zdp7dc",)),
    ("stripe webhook secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", ("MfKQ9r8GKYqr",)),
    (
        "openai project key",
        "OPENAI sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv1wXy4zAB7CD0EF rejected",
        ("Ab3dEf6hIj9kLm2nOp5q",),
    ),
    ("google api key", "maps AIzaSyA-1234567890abcdefghijklmnopqrstu", ("SyA-1234567890abc",)),
    (
        "jwt",
        "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9P",
        ("eyJzdWIiOiIxMjM0", "dozjgNryP4J3"),
    ),
    ("npm token", "npm_a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8", ("a1B2c3D4e5F6g7H8",)),
    (
        "npm _authToken",
        "//registry.npmjs.org/:_authToken=00000000-aaaa-bbbb-cccc-dddddddddddd",
        ("00000000-aaaa-bbbb",),
    ),
    ("vault token", "VAULT hvs.CAESIJ1aB2cD3eF4gH5iJ6kL7mN8oP9qR", ("CAESIJ1aB2cD3eF4",)),
    (
        "azure storage key",
        "DefaultEndpointsProtocol=https;AccountName=x;AccountKey="
        + "Zm9vYmFy" * 11
        + ";EndpointSuffix=core.windows.net",
        ("Zm9vYmFyZm9vYmFy",),
    ),
    (
        "azure sas sig",
        "GET https://acct.blob.core.windows.net/c/b?sv=2021-08-06&se=2026-12-01&sp=r"
        "&sig=Xk9%2Fabc%2Bdef123%3D 200",
        ("Xk9%2Fabc%2Bdef123",),
    ),
    # names that hold a secret (a word boundary fails after '_')
    ("name_password", "NAME_PASSWORD=Tr0ub4dor", ("Tr0ub4dor",)),
    ("pgpassword", "PGPASSWORD=pgS3cret psql -h db", ("pgS3cret",)),
    ("api_token", "API_TOKEN=tok-7781-xyz", ("tok-7781-xyz",)),
    ("dd_api_key", "DD_API_KEY=0a1b2c3d4e5f", ("0a1b2c3d4e5f",)),
    ("mysql_pwd", "MYSQL_PWD=myPw0rd mysql", ("myPw0rd",)),
    ("ldap_bind_pw", "LDAP_BIND_PW=ld4pbind", ("ld4pbind",)),
    ("pw=", "login ok pw=hunter2x", ("hunter2x",)),
    ("password with /", "password=ab/cd@ef#gh", ("ab/cd@ef#gh",)),
    ("python dict", "{'password': 'dictPw1', 'user': 'bob'}", ("dictPw1",)),
    ("json secret", '{"client_secret": "s3cr3t-value"}', ("s3cr3t-value",)),
    ("json authorization", '{"Authorization": "Basic dXNlcjpqc29uUHc="}', ("dXNlcjpqc29uUHc",)),
    ("authorization header", "Authorization: Bearer abcDEF123ghi456", ("abcDEF123ghi456",)),
    ("basic header", "Authorization: Basic dXNlcjpoZWFkZXJQdw==", ("dXNlcjpoZWFkZXJQdw",)),
    ("x-api-key header", "X-Api-Key: k3yV4lu3xyz", ("k3yV4lu3xyz",)),
    ("connection string", "Server=db;Database=app;User Id=sa;Password=P@ssw0rd;", ("P@ssw0rd",)),
    ("session id", "session_id=abcdef123456; path=/", ("abcdef123456",)),
    (
        "gcp private_key_id",
        '"private_key_id": "1a2b3c4d5e6f708192a3b4c5d6e7f80912345678"',
        ("1a2b3c4d5e6f7081",),
    ),
    (
        "gcp private_key",
        '"private_key": "-----BEGIN PRIVATE KEY-----\\nMIIEvQIBADANBgkqhkiG9w0B'
        '\\n-----END PRIVATE KEY-----\\n"',
        ("MIIEvQIBADANBgkq",),
    ),
    # command lines
    ("mysql -p", "mysql -u root -pMyS3cretPw -h db orders", ("MyS3cretPw",)),
    ("--password X", "mysqldump --password hunter3 --all-databases", ("hunter3",)),
    ("--password=X", "app --db-password=flagPw9 --port 80", ("flagPw9",)),
    ("curl -u", "curl -u admin:curlPw7 https://api.internal/x", ("curlPw7",)),
    ("sshpass -p", "sshpass -p 'sshP4ss' ssh ops@bastion", ("sshP4ss",)),
    ("redis-cli -a", "redis-cli -h cache -a r3disAuth ping", ("r3disAuth",)),
    ("docker login -p", "docker login -u ci -p dockerPw5 registry", ("dockerPw5",)),
    ("sql identified by", "CREATE USER app IDENTIFIED BY 'sqlPw8';", ("sqlPw8",)),
    ("java -D", "java -Djavax.net.ssl.keyStorePassword=ksPw3 -jar app.jar", ("ksPw3",)),
    # URLs with a password
    ("postgres url", "postgres://app:hunter2@db.internal:5432/orders", ("hunter2",)),
    ("redis empty user", "REDIS_URL=redis://:r3disPw@cache:6379/0", ("r3disPw",)),
    ("password with / and @", "amqp://svc:p@ss/w@rd@rabbit:5672/", ("p@ss/w@rd", "ss/w")),
    ("mongodb+srv", "mongodb+srv://svc:p%40ss@cluster0.example.net/test", ("p%40ss",)),
    # cookies
    ("cookie", "Cookie: session=abc123def; theme=dark", ("abc123def",)),
    ("set-cookie", "Set-Cookie: sid=s%3AxYz789Q; Path=/; HttpOnly", ("xYz789Q",)),
    # private keys
    (
        "rsa private key",
        "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
        ("MIIEowIBAAKCAQEA",),
    ),
    (
        "pgp private key",
        "-----BEGIN PGP PRIVATE KEY BLOCK-----\nVersion: GnuPG v2\n\nlQOYBF0abcdefg\n=Ab1c\n"
        "-----END PGP PRIVATE KEY BLOCK-----",
        ("lQOYBF0abcdefg", "=Ab1c"),
    ),
    # high-entropy strings no rule names
    ("high entropy base64", "got Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZg here", ("Zm9vYmFyYmF6",)),
    ("high entropy alnum", "id 8fK2xQ9mLp3Rt7Vw1Yz5Bc4Nd6Hj0Gs", ("8fK2xQ9mLp3Rt7Vw",)),
    ("high entropy hex", "hmac 9f86d081884c7d659a2feaa0c55ad015a3bf4f1b", ("9f86d081884c7d65",)),
]

# Ordinary log lines of the kinds an incident reads: they come through unchanged.
HARMLESS: list[str] = [
    "Identified DB connection pool exhausted",
    "Increased pool size 50 -> 200 (password rotation is tomorrow's item)",
    "https://status.example.com/incidents/42",
    "token refresh leaks a connection",
    "2026-11-25T14:30:00Z ERROR checkout-api POST /api/v2/checkout 500",
    '10.0.3.7 - - [25/Nov/2026:14:30:01 +0000] "GET /api/v2/orders/12345/items?page=2 HTTP/1.1"'
    ' 200 512 "-" "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko)'
    ' Chrome/120.0.0.0 Safari/537.36"',
    '203.0.113.9 - alice [25/Nov/2026:14:31:07 +0000] "POST /login HTTP/2.0" 302 0 '
    '"https://shop.example.com/cart" "curl/8.4.0"',
    "\tat org.springframework.beans.factory.support.AbstractAutowireCapableBeanFactory"
    ".createBean(AbstractAutowireCapableBeanFactory.java:542)",
    "Caused by: java.sql.SQLTransientConnectionException: HikariPool-1 - Connection is not "
    "available, request timed out after 30000ms.",
    "\tat com.zaxxer.hikari.pool.HikariPool.createTimeoutException(HikariPool.java:696)",
    'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
    "Warning  FailedScheduling  3m  default-scheduler  0/3 nodes are available: "
    "3 Insufficient memory. pod/checkout-api-7d9f8b6c4-x2x9z",
    "Normal   Pulled     12s  kubelet  Successfully pulled image "
    '"registry.example.com/payments/worker:v2.3.1" in 1.2s',
    "Warning  BackOff    5s   kubelet  Back-off restarting failed container worker in pod "
    "payments-worker-6b8d9c7f5d-qzx4m_default(8c7d6e5f-4a3b-2c1d-0e9f-8a7b6c5d4e3f)",
    "ingress-nginx-controller-7799c6795f-8wq2c  1/1  Running  0  3d",
    "Nov 25 14:30:02 ip-10-0-12-34 kernel: [12345.678] Out of memory: Killed process 4242 "
    "(java) total-vm:8123456kB",
    "Nov 25 14:30:05 web-1 systemd[1]: nginx.service: Main process exited, code=exited, "
    "status=1/FAILURE",
    "Nov 25 14:30:09 web-1 sshd[2211]: Accepted publickey for deploy from 10.0.0.5 port 52311",
    "request_id=3f2a9c1e-8b7d-4e6f-a1b2-c3d4e5f60718 user=alice "
    "path=/usr/lib/jvm/java-17-openjdk-amd64/bin/java",
    'level=error ts=2026-11-25T14:30:11.123Z caller=main.go:88 msg="dial tcp 10.0.4.2:5432: '
    'connect: connection refused" component=db',
    '{"level":"warn","ts":"2026-11-25T14:30:12Z","msg":"retrying","attempt":3,"backoff_ms":800}',
    "panic: runtime error: invalid memory address or nil pointer dereference",
    "goroutine 1 [running]: main.(*Server).ServeHTTP(0xc000112000)",
    "/home/deploy/releases/20261125143000/config/database.yml loaded",
    "GET /healthz 200 0.8ms; GET /metrics 200 3.1ms",
    "deployed release v2.3.2 (build 20261125.4) to prod-eu-west-1",
    "cache hit ratio 0.93 for keyspace sessions",
    "Tests: passed=120 failed=0 skipped=3",
]
