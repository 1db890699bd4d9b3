"""incident.levels: a line's level comes from its level field, not from words in its message.

Realistic lines of many formats (most from the Loghub collections: Apache, HDFS, Spark,
Zookeeper, Hadoop, Android, BGL, OpenStack, Windows CBS, Linux/OpenSSH syslog)."""

from __future__ import annotations

import pytest

from incident.levels import level_of

LINES = [
    # Apache 2.2 error log: bracketed, lower case; [notice] is not a warning
    ("[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6", "error"),
    ("[Sun Dec 04 04:51:18 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.prop", None),
    ("[Sun Dec 04 06:01:32 2005] [warn] child process 6725 still did not exit", "warn"),
    # Apache 2.4: module:level
    (
        "[Fri Sep 09 10:42:29.902022 2011] [core:error] [pid 35708:tid 4328636416] "
        "[client 72.15.99.187] File does not exist: /usr/local/apache2/htdocs/favicon.ico",
        "error",
    ),
    ("[Fri Sep 09 10:42:29.902022 2011] [proxy_fcgi:trace5] fcgi: got a record", "debug"),
    ("[Fri Sep 09 10:42:29.902022 2011] [mpm_event:notice] [pid 1:tid 2] AH00489", None),
    # nginx
    ("2024/03/01 12:00:00 [error] 1234#0: *1 open() failed (2: No such file)", "error"),
    ("2024/03/01 12:00:00 [warn] 1234#0: *7 an upstream response is buffered", "warn"),
    # syslog (OpenSSH): the message's own first word may be its level
    ("Dec 10 06:55:46 LabSZ sshd[24200]: reverse mapping checking getaddrinfo failed", None),
    ("Dec 10 06:55:46 LabSZ sshd[24200]: error: Received disconnect from 103.99.0.122", "error"),
    ("Dec 10 07:02:47 LabSZ sshd[24203]: Failed password for invalid user ERROR from x", None),
    ("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; rhost=x", None),
    ("<11>1 2003-10-11T22:14:15.003Z mymachine su - ID47 - 'su root' failed", "error"),
    ("<12>Oct 11 22:14:15 mymachine app: low disk", "warn"),
    ("<14>Oct 11 22:14:15 mymachine app: ERROR in the message", None),
    # HDFS
    (
        "081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1 for block "
        "blk_38865049064139660 terminating",
        None,
    ),
    ("081109 204005 35 WARN dfs.DataNode$DataXceiver: 10.251.30.85:50010:Got exception", "warn"),
    # Spark
    ("17/06/09 20:10:40 INFO executor.CoarseGrainedExecutorBackend: Registered handlers", None),
    ("17/06/09 20:11:11 WARN util.NativeCodeLoader: Unable to load native-hadoop", "warn"),
    ("17/06/09 20:11:11 ERROR executor.Executor: Exception in task 0.0 in stage 1.0", "error"),
    # Zookeeper
    (
        "2015-07-29 17:41:44,747 - INFO  [QuorumPeer[myid=1]/0:0:0:0:0:0:0:0:2181:"
        "FastLeaderElection@774] - Notification time out: 3200 error",
        None,
    ),
    (
        "2015-07-29 19:04:12,394 - ERROR [SendWorker:188978561024:QuorumCnxManager$SendWorker"
        "@688] - Send worker leaving thread",
        "error",
    ),
    ("2015-07-29 19:04:29,071 - WARN  [RecvWorker:188978561024:QuorumCnxManager] - x", "warn"),
    # Hadoop
    (
        "2015-10-18 18:01:47,978 INFO [main] org.apache.hadoop.mapreduce.v2.app.MRAppMaster: "
        "Created MRAppMaster for application appattempt_1445144423722_0020_000001",
        None,
    ),
    ("2015-10-18 18:10:59,365 WARN [LeaseRenewer:msrabi@msra-sa-41:9000] x: Failed", "warn"),
    ("2015-10-18 18:10:59,365 ERROR [RMCommunicator Allocator] x: ERROR IN CONTACTING", "error"),
    # Android logcat (threadtime and brief): the letter in its column
    ("03-17 16:13:38.811  1702  2395 E AndroidRuntime: FATAL EXCEPTION: main", "error"),
    ("03-17 16:13:38.811  1702  2395 W ActivityManager: Slow operation", "warn"),
    ("03-17 16:13:38.819  1702  8671 D PowerManagerService: acquire lock=233570404", "debug"),
    ("03-17 16:13:38.819  1702  8671 V WindowManager: Skipping AppWindowToken", "debug"),
    ("03-17 16:13:38.839  1702  2113 I ActivityManager: E 1 ERROR in the message", None),
    ("E/AndroidRuntime( 1702): FATAL EXCEPTION: main", "error"),
    ("I/ActivityManager( 1702): Displayed com.example/.Main: +1s ERROR", None),
    # klog / glog, alone and after kubectl's timestamp
    ("E1205 08:36:47.123456    1234 controller.go:123] sync of pod failed", "error"),
    ("W1205 08:36:47.123456    1234 reflector.go:424] watch ended", "warn"),
    ("I1205 08:36:47.123456    1234 controller.go:123] error budget at 3%", None),
    ("2024-12-05T08:36:47.123456789Z E1205 08:36:47.123456 1 leaderelection.go:330] x", "error"),
    # Python logging
    ("ERROR:root:the job failed", "error"),
    ("WARNING:urllib3.connectionpool:Retrying after connection broken", "warn"),
    ("INFO:root:no ERROR here", None),
    ("2024-01-01 12:00:00,123 - myapp - ERROR - Something failed", "error"),
    ("2024-01-01 12:00:00,123 - myapp - INFO - retry after error E7520", None),
    ("2024-01-01 12:00:00,123 DEBUG [worker] polling", "debug"),
    # JSON lines
    ('{"ts":"2024-01-01T00:00:00Z","level":"error","msg":"boom"}', "error"),
    ('{"msg":"ERROR in the message","level":"info"}', None),
    ('{"time":1700000000,"level":50,"msg":"pino error"}', "error"),
    ('{"time":1700000000,"level":40,"msg":"pino warn"}', "warn"),
    ('{"severity":"WARNING","message":"quota at 91%"}', "warn"),
    ('{"@t":"2024-01-01T00:00:00Z","@l":"Error","@m":"serilog"}', "error"),
    ('{"log.level":"debug","message":"ecs"}', "debug"),
    ('{"msg":"user said \\"level\\":\\"error\\"","level":"info"}', None),
    # logfmt, alone and inside syslog
    ('time=2024-01-01T00:00:00Z level=error msg="connection refused"', "error"),
    ('time=2024-01-01T00:00:00Z level=info msg="no error, ERROR E7520 retried"', None),
    ('t=2024-01-01T00:00:00+0000 lvl=eror msg="log15 spelling"', "error"),
    ('Jan  1 00:00:00 host dockerd[812]: time="2024" level=warning msg="x"', "warn"),
    # Windows CBS
    ("2016-09-28 04:30:30, Info                  CBS    Loaded Servicing Stack v6.1", None),
    ("2016-09-28 04:30:31, Error                 CSI    00000001@2016/9/27:20:30:31.455", "error"),
    ("2016-09-28 04:30:31, Warning               CBS    Failed to get session package", "warn"),
    # BGL: the level is the ninth field; "error" in the message is not it
    (
        "- 1117838570 2005.06.03 R02-M1-N0-C:J12-U11 2005-06-03-15.42.50.675872 "
        "R02-M1-N0-C:J12-U11 RAS KERNEL INFO instruction cache parity error corrected",
        None,
    ),
    (
        "APPREAD 1117869872 2005.06.04 R04-M1-N4-I:J18-U11 2005-06-04-00.24.32.432192 "
        "R04-M1-N4-I:J18-U11 RAS APP FATAL ciod: failed to read message prefix",
        "error",
    ),
    # OpenStack
    (
        "nova-compute.log.1.2017-05-16_13:55:31 2017-05-16 00:00:04.500 2931 ERROR "
        "nova.compute.manager [req-3ea4052c] [instance: b9000564] Instance failed to spawn",
        "error",
    ),
    (
        "nova-api.log.1.2017-05-16_13:53:08 2017-05-16 00:00:00.008 25746 INFO "
        'nova.osapi_compute.wsgi.server [req-38101a0b] 10.11.10.1 "GET /v2/servers" status: 500',
        None,
    ),
    # MongoDB, PostgreSQL, Go, zerolog
    ("2014-11-03T18:28:32.450-0500 E NETWORK  [initandlisten] listen(): bind() failed", "error"),
    ("2014-11-03T18:28:32.450-0500 I NETWORK  [initandlisten] waiting, no error", None),
    ('2024-01-01 12:00:00.123 UTC [1234] ERROR:  relation "users" does not exist', "error"),
    ("2024-01-01 12:00:00.123 UTC [1234] LOG:  checkpoint complete: wrote 3 buffers", None),
    ("panic: runtime error: index out of range [3] with length 3", "error"),
    ("3:04PM WRN disk almost full", "warn"),
    # words in a message, with no level field or after one
    ("2024-01-01 12:00:00 INFO Transaction E7520 completed with no error", None),
    ("transaction E7520 failed", None),
    ("the request failed with error 500 and then some more words ERROR", None),
    ("", None),
    ("    at com.example.Main.run(Main.java:12)", None),
]


@pytest.mark.parametrize(("line", "level"), LINES)
def test_the_level_is_read_from_the_level_field(line, level):
    assert level_of(line) == level


def test_only_the_head_of_a_long_line_is_read():
    assert level_of("ERROR " + "x" * 1_000_000) == "error"
    assert level_of("x" * 10_000 + " ERROR") is None
    assert level_of('{"msg":"' + "y" * 10_000 + '","level":"error"}') is None  # past HEAD
