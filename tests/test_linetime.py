"""A log line's own time (incident/linetime.py): one realistic line per production format,
read at a frozen moment in a given source zone, to the exact UTC instant, fraction, zone
and flags; then the rules: the year of a line without one (read in December and in
January), the zone (the source's, DST-aware, or the line's own), the header (never a time
in the message or in a file name), what cannot be read (None), and properties over
arbitrary text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incident.linetime import SKEW, LineTime, read_line_time, zone_name

READ = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)  # a Saturday in December
ZONES: dict[str, tzinfo] = {
    "UTC": UTC,
    "Berlin": ZoneInfo("Europe/Berlin"),
    "Shanghai": ZoneInfo("Asia/Shanghai"),
    "LA": ZoneInfo("America/Los_Angeles"),
    "+08": timezone(timedelta(hours=8)),
}
BERLIN = "Europe/Berlin"

# (format, line, source zone, UTC instant, zone, zone_assumed, year_assumed)
FORMATS = [
    ("iso Z", "2026-12-05T08:36:47.123Z GET /healthz 200",
     "Berlin", "2026-12-05T08:36:47.123", "UTC", False, False),
    ("iso offset", "2026-07-01T10:00:00.5+02:00 worker ready",
     "UTC", "2026-07-01T08:00:00.5", "+02:00", False, False),
    ("python logging", "2026-12-05 08:36:47,123 INFO app.main: started on :8080",
     "Berlin", "2026-12-05T07:36:47.123", BERLIN, True, False),
    ("apache error", "[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok "
     "/etc/httpd/conf/workers2.properties",
     "Berlin", "2005-12-04T03:47:44", BERLIN, True, False),
    ("apache 2.4 error", "[Wed Oct 11 14:32:52.123456 2000] [core:error] [pid 35708:tid "
     "4328636416] [client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/x.ico",
     "UTC", "2000-10-11T14:32:52.123456", "UTC", True, False),
    ("apache access", '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif '
     'HTTP/1.0" 200 2326 "http://www.example.com/start.html" "Mozilla/4.08 [en] (Win98; I ;Nav)"',
     "Berlin", "2000-10-10T20:55:36", "-07:00", False, False),
    ("nginx access", '203.0.113.9 - - [05/Dec/2026:08:36:47 +0000] "GET / HTTP/1.1" 200 612 '
     '"-" "curl/8.5.0"',
     "Berlin", "2026-12-05T08:36:47", "+00:00", False, False),
    ("nginx error", '2026/12/05 08:36:47 [error] 1234#1234: *5 open() "/usr/share/nginx/html/'
     'favicon.ico" failed (2: No such file or directory)',
     "UTC", "2026-12-05T08:36:47", "UTC", True, False),
    ("rfc3164 openssh", "Dec 10 06:55:46 LabSZ sshd[24199]: reverse mapping checking "
     "getaddrinfo for ns.marryaldkfaczcz.com [173.234.31.186] failed - POSSIBLE BREAK-IN ATTEMPT!",
     "UTC", "2025-12-10T06:55:46", "UTC", True, True),
    ("rfc3164 linux", "Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; "
     "logname= uid=0 euid=0 tty=NODEVssh ruser= rhost=218.188.2.4",
     "UTC", "2026-06-14T15:16:01", "UTC", True, True),
    ("rfc3164 pri", "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8",
     "UTC", "2026-10-11T22:14:15", "UTC", True, True),
    ("macos", "Jul  1 09:00:55 calvisitor-10-105-160-95 kernel[0]: IOThunderboltSwitch<0>(0x0)"
     "::listenerCallback - Thunderbolt HPD packet for route = 0x0 port = 11 unplug = 0",
     "Berlin", "2026-07-01T07:00:55", BERLIN, True, True),
    ("rfc5424", "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - "
     "'su root' failed for lonvick on /dev/pts/8",
     "Berlin", "2003-10-11T22:14:15.003", "UTC", False, False),
    ("rfc5424 no pri", "1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's "
     "time to make the do-nuts.",
     "Berlin", "2003-08-24T12:14:15.000003", "-07:00", False, False),
    ("klog", 'I1205 08:36:47.123456       1 controller.go:122] "Starting workers" count=2',
     "UTC", "2026-12-05T08:36:47.123456", "UTC", True, True),
    ("kubectl --timestamps", '2026-12-05T08:36:47.123456789Z level=info msg="ready"',
     "Berlin", "2026-12-05T08:36:47.123456", "UTC", False, False),
    ("hdfs", "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for "
     "block blk_38865049064139660 terminating",
     "UTC", "2008-11-09T20:36:15", "UTC", True, False),
    ("spark", "17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered "
     "signal handlers for [TERM, HUP, INT]",
     "Shanghai", "2017-06-09T12:10:40", "Asia/Shanghai", True, False),
    ("logcat", "03-17 16:13:38.811  1702  2395 D WindowManager: printFreezingDisplayLogs"
     "opening app wtoken = AppWindowToken{9f4ef63 token=Token{a64f992}}, allDrawn= false",
     "+08", "2026-03-17T08:13:38.811", "+08:00", True, True),
    ("proxifier", "[10.30 16:49:06] chrome.exe - proxy.cse.cuhk.edu.hk:5070 open through "
     "proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
     "Shanghai", "2026-10-30T08:49:06", "Asia/Shanghai", True, True),
    ("health app", "20171223-22:15:29:606|Step_LSC|30002312|onStandStepChanged 3579",
     "Shanghai", "2017-12-23T14:15:29.606", "Asia/Shanghai", True, False),
    ("bgl", "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 "
     "R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
     "Berlin", "2005-06-03T22:42:50.675872", "UTC", False, False),
    ("bgl alert", "KERNDTLB 1118536327 2005.06.11 R30-M0-N9-C:J16-U01 2005-06-11-17.32.07.581048"
     " R30-M0-N9-C:J16-U01 RAS KERNEL FATAL data TLB error interrupt",
     "UTC", "2005-06-12T00:32:07.581048", "UTC", False, False),
    ("thunderbird", "- 1131566461 2005.11.09 dn228 Nov 9 12:01:01 dn228/dn228 crond(2915): "
     "(root) CMD (run-parts /etc/cron.hourly)",
     "Berlin", "2005-11-09T20:01:01", "UTC", False, False),
    ("journalctl", "Dec 05 08:36:47 web-1 nginx[812]: 2026/12/05 08:36:47 [error] 812#812: "
     "*1 connect() failed",
     "Berlin", "2026-12-05T07:36:47", BERLIN, True, True),
    ("journalctl short-iso", "2026-12-05T08:36:47+0100 web-1 nginx[812]: started",
     "UTC", "2026-12-05T07:36:47", "+01:00", False, False),
    ("journalctl short-precise", "Dec 05 08:36:47.123456 web-1 systemd[1]: Started nginx.",
     "Berlin", "2026-12-05T07:36:47.123456", BERLIN, True, True),
    ("journalctl short-iso-precise", "2026-12-05T08:36:47.123456+01:00 web-1 systemd[1]: "
     "Started nginx.",
     "UTC", "2026-12-05T07:36:47.123456", "+01:00", False, False),
    ("journalctl short-full", "Sat 2026-12-05 08:36:47 CET web-1 systemd[1]: Started nginx.",
     "Berlin", "2026-12-05T07:36:47", BERLIN, True, False),
    ("journalctl short-unix", "1764923807.123456 web-1 systemd[1]: Started nginx.",
     "Berlin", "2025-12-05T08:36:47.123456", "UTC", False, False),
    ("windows cbs", "2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack "
     "v6.1.7601.23505 with Core: C:\\Windows\\winsxs\\amd64_microsoft-windows-servicingstack\\"
     "cbscore.dll",
     "LA", "2016-09-28T11:30:30", "America/Los_Angeles", True, False),
    ("zookeeper", "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:"
     "FastLeaderElection@774] - Notification time out: 3200",
     "UTC", "2015-07-29T17:41:44.747", "UTC", True, False),
    ("hadoop", "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app."
     "MRAppMaster: Created MRAppMaster for application appattempt_1445144423722_0020_000001",
     "Shanghai", "2015-10-18T10:01:47.978", "Asia/Shanghai", True, False),
    ("openstack", "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:14:47.687 2931 INFO "
     "nova.osapi_compute.wsgi.server [req-672e0d3d - - -] 10.11.10.1 \"GET /v2/servers/detail "
     'HTTP/1.1" status: 200 len: 1893 time: 0.2477829',
     "UTC", "2017-05-16T00:14:47.687", "UTC", True, False),
    ("hpc", "134681 node-246 unix.hw state_change.unavailable 1077804742 1 Component State "
     "Change: Component \\042alt0\\042 is in the unavailable state (HWID=1713)",
     "Berlin", "2004-02-26T14:12:22", "UTC", False, False),
    ("hpc words", "2560 node-246 action start 1077804790 1 clusterAddMember  (command 1902)",
     "Berlin", "2004-02-26T14:13:10", "UTC", False, False),
    ("squid", "1286536308.779    180 192.168.0.224 TCP_MISS/200 411 GET "
     "http://www.google-analytics.com/__utm.gif? - DIRECT/74.125.39.102 image/gif",
     "Berlin", "2010-10-08T11:11:48.779", "UTC", False, False),
    ("tomcat", "05-Dec-2026 08:36:47.123 INFO [main] org.apache.catalina.startup.Catalina."
     "start Server startup in [1234] milliseconds",
     "Berlin", "2026-12-05T07:36:47.123", BERLIN, True, False),
    ("django", '[05/Dec/2026 08:36:47] "GET / HTTP/1.1" 200 10697',
     "Berlin", "2026-12-05T07:36:47", BERLIN, True, False),
    ("redis", "1:M 05 Dec 2026 08:36:47.123 * Ready to accept connections tcp",
     "UTC", "2026-12-05T08:36:47.123", "UTC", True, False),
    ("postgres", "2026-12-05 08:36:47.123 UTC [1234] LOG:  database system is ready",
     "Berlin", "2026-12-05T08:36:47.123", "UTC", False, False),
    ("elasticsearch", "[2026-12-05T08:36:47,123][INFO ][o.e.n.Node] [node-1] started",
     "UTC", "2026-12-05T08:36:47.123", "UTC", True, False),
    ("docker compose", "web-1  | 2026-12-05T08:36:47Z ready to accept connections",
     "Berlin", "2026-12-05T08:36:47", "UTC", False, False),
]  # fmt: skip


@pytest.mark.parametrize(
    ("line", "zone", "at", "name", "zone_assumed", "year_assumed"),
    [case[1:] for case in FORMATS],
    ids=[case[0] for case in FORMATS],
)
def test_each_format_reads_to_the_exact_instant(
    line: str, zone: str, at: str, name: str, zone_assumed: bool, year_assumed: bool
) -> None:
    got = read_line_time(line, read_at=READ, zone=ZONES[zone])
    want = datetime.fromisoformat(at).replace(tzinfo=UTC)
    assert got == LineTime(at=want, zone=name, zone_assumed=zone_assumed, year_assumed=year_assumed)
    assert got.at.tzinfo is UTC and got.at.microsecond == want.microsecond


@pytest.mark.parametrize("ending", ["\r", "\r\n", "\u240d"])
def test_a_crlf_line_reads_as_the_same_line(ending: str) -> None:
    line = "Dec 10 06:55:46 LabSZ sshd[24199]: Invalid user webmaster from 173.234.31.186"
    assert read_line_time(line + ending, read_at=READ, zone=UTC) == read_line_time(
        line, read_at=READ, zone=UTC
    )
    for bom in ("", "\ufeff", "\u27e8U+FEFF\u27e9"):  # a first line's BOM, raw or made visible
        bare = read_line_time(bom + "2016-09-28 04:30:30" + ending, read_at=READ, zone=UTC)
        assert bare is not None and bare.at == datetime(2016, 9, 28, 4, 30, 30, tzinfo=UTC)


@pytest.mark.parametrize("colour", ["\x1b[32m", "\u241b[32m"])
def test_a_coloured_header_is_read_through_its_colour(colour: str) -> None:
    reset = colour[0] + "[0m"
    got = read_line_time(f"{colour}2026-12-05T08:00:00Z{reset} ok", read_at=READ, zone=UTC)
    assert got is not None and got.at == datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def test_zone_names() -> None:
    assert zone_name(ZoneInfo("Europe/Berlin")) == "Europe/Berlin"
    assert zone_name(UTC) == "UTC"
    assert zone_name(ZoneInfo("Etc/UTC")) == "UTC"
    assert zone_name(timezone(timedelta(hours=5, minutes=30))) == "+05:30"
    assert zone_name(timezone(timedelta(hours=-3, minutes=-30))) == "-03:30"
    assert zone_name(timezone(timedelta(0))) == "UTC"


def at_utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)  # type: ignore[misc]


def read(line: str, read_at: datetime = READ, zone: tzinfo = UTC) -> LineTime | None:
    return read_line_time(line, read_at=read_at, zone=zone)


# -- the year of a line without one: the latest that is not after read_at + SKEW (a day) --

DECEMBER = at_utc(2026, 12, 5, 12, 0)
JANUARY = at_utc(2027, 1, 2, 0, 5)


@pytest.mark.parametrize(
    ("line", "read_at", "year"),
    [
        ("Dec 10 06:55:46 h x", DECEMBER, 2025),  # five days ahead: last year's
        ("Dec 05 11:59:00 h x", DECEMBER, 2026),
        ("Dec 06 06:00:00 h x", DECEMBER, 2026),  # 18 h ahead: within the skew
        ("Dec 07 00:00:00 h x", DECEMBER, 2025),  # 36 h ahead: not
        ("Jan  1 00:00:00 h x", DECEMBER, 2026),
        ("Dec 31 23:59:59 h x", JANUARY, 2026),
        ("Jan 02 00:10:00 h x", JANUARY, 2027),  # 5 minutes ahead: this year's
        ("Jan 01 00:00:00 h x", JANUARY, 2027),
        ("Jun 30 12:00:00 h x", JANUARY, 2026),
        ("I0102 00:10:00.000001 1 main.go:1] x", JANUARY, 2027),
        ("12-31 23:59:59.999  1702  2395 D X: y", JANUARY, 2026),
        ("Feb 29 10:00:00 h x", DECEMBER, 2024),  # the latest leap year
        ("Feb 29 10:00:00 h x", at_utc(2029, 1, 10), 2028),
        ("Feb 29 10:00:00 h x", at_utc(2028, 2, 27), 2024),
    ],
)
def test_a_line_without_a_year_takes_the_latest_not_after_it_was_read(
    line: str, read_at: datetime, year: int
) -> None:
    got = read(line, read_at)
    assert got is not None and got.year_assumed
    assert got.at.year == year
    assert got.at <= read_at + SKEW


def test_the_year_is_the_source_zone_s_at_new_year() -> None:
    # read at 00:30 on 1 January in Berlin (23:30 UTC on 31 December): 00:10 is this new year's
    got = read("Jan 01 00:10:00 h x", at_utc(2026, 12, 31, 23, 30), ZoneInfo("Europe/Berlin"))
    assert got is not None and got.at == at_utc(2026, 12, 31, 23, 10)


@pytest.mark.parametrize(
    ("line", "at"),
    [
        ("2031-01-01T00:00:00Z in the future", at_utc(2031, 1, 1)),  # a year given is kept
        ("99/12/31 23:59:59 INFO x", at_utc(1999, 12, 31, 23, 59, 59)),  # nearest to 2026
        ("26/12/31 23:59:59 INFO x", at_utc(2026, 12, 31, 23, 59, 59)),
        ("700101 000000 1 INFO x", at_utc(2070, 1, 1)),  # 44 years ahead is nearer than 56 back
    ],
)
def test_a_year_in_the_line_is_kept_and_two_digits_take_the_nearest_century(
    line: str, at: datetime
) -> None:
    got = read(line)
    assert got is not None and got.at == at and not got.year_assumed


# -- the zone: the line's own wins; else the source's, DST-aware, fold=0 --


@pytest.mark.parametrize(
    ("line", "zone", "at", "name", "assumed"),
    [
        ("2026-07-01 12:00:00 x", "Europe/Berlin", at_utc(2026, 7, 1, 10), "Europe/Berlin", True),
        ("2026-01-15 12:00:00 x", "Europe/Berlin", at_utc(2026, 1, 15, 11), "Europe/Berlin", True),
        ("Jul 01 12:00:00 h x", "Europe/Berlin", at_utc(2026, 7, 1, 10), "Europe/Berlin", True),
        ("Jan 15 12:00:00 h x", "Europe/Berlin", at_utc(2026, 1, 15, 11), "Europe/Berlin", True),
        ("2026-07-01 12:00:00 x", "+05:30", at_utc(2026, 7, 1, 6, 30), "+05:30", True),
        ("2026-07-01 12:00:00 x", "UTC", at_utc(2026, 7, 1, 12), "UTC", True),
        ("2026-07-01T12:00:00-03:00 x", "Europe/Berlin", at_utc(2026, 7, 1, 15), "-03:00", False),
        ("2026-07-01T12:00:00Z x", "Europe/Berlin", at_utc(2026, 7, 1, 12), "UTC", False),
        ("2026-07-01 12:00:00 UTC x", "Europe/Berlin", at_utc(2026, 7, 1, 12), "UTC", False),
        ("2026-07-01 12:00:00 +0530 x", "UTC", at_utc(2026, 7, 1, 6, 30), "+05:30", False),
        ("2026-07-01T12:00:00+01 x", "UTC", at_utc(2026, 7, 1, 11), "+01:00", False),
        # 02:30 on the autumn night happens twice: the first (summer time); on the spring
        # night it never happens: read with the offset from before the change
        ("2026-10-25 02:30:00 x", BERLIN, at_utc(2026, 10, 25, 0, 30), BERLIN, True),
        ("2026-03-29 02:30:00 x", BERLIN, at_utc(2026, 3, 29, 1, 30), BERLIN, True),
    ],
)  # fmt: skip
def test_the_zone_is_the_line_s_else_the_source_s(
    line: str, zone: str, at: datetime, name: str, assumed: bool
) -> None:
    tz = {"UTC": UTC, "+05:30": timezone(timedelta(hours=5, minutes=30))}.get(zone)
    got = read(line, zone=tz or ZoneInfo(zone))
    assert got == LineTime(at=at, zone=name, zone_assumed=assumed, year_assumed=line[0] == "J")


# -- the header: the first timestamp from the start, never one in the message --


@pytest.mark.parametrize(
    ("line", "at"),
    [
        ("user logged in at 2026-01-01 10:00", None),
        ("ERROR job failed: last run 2026-01-01T10:00:00Z", None),
        ("Connection closed by 10.0.0.1 at Dec 10 06:55:46", None),
        ("2026-12-05 08:00:00 user logged in at 2026-01-01 10:00", at_utc(2026, 12, 5, 8)),
        ("app.log 2026-12-05 08:00:00 started", at_utc(2026, 12, 5, 8)),
        ("[pod/web-7d9f/app] 2026-12-05T08:00:00Z started", at_utc(2026, 12, 5, 8)),
        ("INFO 2026-12-05 08:00:00 started", at_utc(2026, 12, 5, 8)),
        ("backup-2026-12-05_08:00:00.tar.gz restored", None),
        ("/var/log/app-2026-12-05T08:00:00Z.log rotated", None),
        ("2026-12-05_08:00:00.log: rotated", None),
        ("nova-api.log.1.2017-05-16_13:53:08 worker started", None),
        ("a1 b2 c3 d4 e5 2026-12-05T08:00:00Z", None),  # past the header's fields
        ("x" * 130 + " 2026-12-05T08:00:00Z", None),  # past the header's characters
        ("12345 1700000000 started", None),  # a bare ten-digit number is no time
        ("1 node-1 unix.hw state 1999999999 1 msg", None),  # an HPC epoch in the future
    ],
)
def test_the_header_time_only(line: str, at: datetime | None) -> None:
    got = read(line)
    assert (got and got.at) == at


def test_the_openstack_time_is_the_one_after_the_file_name() -> None:
    line = "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:14:47.687 2931 INFO nova.api x"
    got = read(line)
    assert got is not None and got.at == datetime(2017, 5, 16, 0, 14, 47, 687000, tzinfo=UTC)


def test_bgl_seconds_that_are_not_the_line_s_date_give_way_to_its_local_time() -> None:
    line = "- 1117838570 2005.07.20 R02-M1-N0-C:J12-U11 2005-07-20-15.42.50.675872 RAS KERNEL"
    got = read(line, zone=ZoneInfo("America/Los_Angeles"))
    assert got is not None and got.zone_assumed
    assert got.at == datetime(2005, 7, 20, 22, 42, 50, 675872, tzinfo=UTC)


def test_only_the_head_of_a_64_kib_line_is_read() -> None:
    header = "2026-12-05 08:00:00,5 INFO x "
    assert read(header + "y" * 65536) == read(header)
    assert read("1" * 65536) is None
    assert read("Dec 10 " * 10000) is None
    assert read("x " * 32768 + "2026-12-05T08:00:00Z") is None
    # colour codes that fill the head: a timestamp cut at its end is not read as a shorter one
    assert read("\x1b[0m" * 74 + "2026-12-05 08:36:47.123456 x") is None


@pytest.mark.parametrize(
    "line",
    [
        "2026-02-30 10:00:00 impossible date",
        "2026-12-05 25:00:00 hour 25",
        "2026-12-05 10:61:00 minute 61",
        "2026-12-05T10:00:00+25:00 offset 25",
        "Feb 30 10:00:00 host x",
        "Dec 10 24:00:00 host x",
        "[10/Foo/2000:13:55:36 -0700] x",
        "2026-02-30 10:00:00 then 2026-02-03 10:00:00",  # the first decides
        "[  123.456789] host kernel: no wall clock",
        "hello world",
        "",
    ],
)
def test_what_cannot_be_read_is_none(line: str) -> None:
    assert read(line) is None


# -- properties --

ANY_ZONE = st.sampled_from(
    [UTC, ZoneInfo("Europe/Berlin"), ZoneInfo("America/St_Johns"), timezone(timedelta(hours=14))]
)
READ_AT = st.datetimes(
    min_value=datetime(1990, 1, 1), max_value=datetime(2090, 1, 1), timezones=st.just(UTC)
)
STAMPY = st.text(alphabet="0123456789 -:./,TZ+[]|<>IDecJunFebSat\t\r", max_size=80)


@settings(max_examples=400, deadline=None, derandomize=True)
@given(text=st.one_of(st.text(max_size=200), STAMPY), read_at=READ_AT, zone=ANY_ZONE)
def test_never_raises_and_an_assumed_year_is_never_after_read_at(
    text: str, read_at: datetime, zone: tzinfo
) -> None:
    got = read_line_time(text, read_at=read_at, zone=zone)
    assert got is None or got.at.tzinfo is UTC
    if got is not None and got.year_assumed:
        assert got.at <= read_at + SKEW


@settings(max_examples=300, deadline=None, derandomize=True)
@given(
    ago=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=360)),
    read_at=READ_AT,
    zone=ANY_ZONE,
)
def test_a_recent_syslog_line_reads_back_as_the_instant_it_was_written(
    ago: timedelta, read_at: datetime, zone: tzinfo
) -> None:
    written = (read_at - ago).replace(microsecond=0)
    local = written.astimezone(zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return  # a wall time that happens twice reads as the first (fold=0)
    got = read_line_time(f"{local:%b %d %H:%M:%S} host app[1]: x", read_at=read_at, zone=zone)
    assert got is not None and got.at == written and got.year_assumed
