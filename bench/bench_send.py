"""bench_send.py — the driver of bench_send.sh: for each channel, produce N action commands,
run `switchyard send` on that channel alone against its loopback provider, and print messages/s
from the first delivery to the last. The providers record arrival times; nothing is asserted.

usage: bench_send.py SWITCHYARD_BIN SOURCE_ROOT N"""
import os
import sys
import tempfile
import time
import uuid

BIN, ROOT, N = sys.argv[1], sys.argv[2], int(sys.argv[3])
sys.path.insert(0, os.path.join(ROOT, "tests", "send"))
import send_harness as h  # noqa: E402
from standin_http import StandIn  # noqa: E402


def run(channel, rate, standin, sink):
    base = "bsend-" + uuid.uuid4().hex[:8]
    h.topics_create(base)
    d = tempfile.mkdtemp(prefix="bench_send.")
    extra = "".join(f"send.rate.{c}.per_s = {rate}\n" for c in h.CHANNELS)
    config = h.workdir_make(d, base, standin.url, sink.url, channel, extra)
    to = {"email": "user{}@shop.example", "sms": "+1555{:07d}", "voice": "+1556{:07d}",
          "push": "device-{}"}[channel]
    h.actions_produce(ROOT, base, [h.action(f"{base}-{i}", f"c{i}", channel, "ping",
                                            {"to": to.format(i), "n": str(i)})
                                   for i in range(N)])
    times = []
    standin.arrivals = times
    sink.arrivals = times
    proc = h.sender_start(BIN, config, os.path.join(d, "send.log"))
    h.wait_until(lambda: len(times) >= N, 600, f"{N} {channel} deliveries", proc)
    h.sender_stop(proc)
    span = times[-1] - times[0]
    return (N - 1) / span if span > 0 else float("inf")


def main():
    standin, sink = StandIn(), h.SmtpSink()
    print(f"{N} actions per channel, one sender process, loopback providers, no failures")
    print("| channel | provider | send.rate per_s | messages/s |")
    print("|---|---|---|---|")
    for channel, provider, rate in (("email", "aiosmtpd", 0), ("sms", "stand-in Twilio", 0),
                                    ("voice", "stand-in Twilio", 0),
                                    ("push", "stand-in FCM", 0), ("sms", "stand-in Twilio", 50)):
        mps = run(channel, rate, standin, sink)
        print(f"| {channel} | {provider} | {rate or 'off'} | {mps:,.0f} |", flush=True)
    standin.close()
    sink.close()


if __name__ == "__main__":
    main()
